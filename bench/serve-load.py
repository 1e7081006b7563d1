#!/usr/bin/env python3
"""Loopback load test of `mptj serve` (bounded: N requests from C concurrent clients).

  bench/serve-load.py --run RUN_DIR [--run RUN_DIR ...] [--requests 1600] [--clients 32]
                      [--inputs 1] [--serve-arg=--no-fuse ...]

Starts the server on a free port, sends one-input requests round-robin over every served task,
and prints one JSON line: requests/s, inputs/s, p50/p99 latency, status counts, forward passes and
inputs per pass (from /metrics), and how many answers differed from the task's answer alone (asked
before the load; scores compared to 1e-4). Needs only the Python standard library.
"""
import argparse, json, subprocess, sys, threading, time, urllib.request, urllib.error

FIELDS = {  # two-sentence inputs in each task's own field names
    "superglue/CB": {"premise": "A man is playing a guitar on stage.", "hypothesis": "Someone plays music."},
    "glue/RTE": {"sentence1": "A man is playing a guitar on stage.", "sentence2": "Someone plays music."},
    "glue/MRPC": {"sentence1": "A man is playing a guitar on stage.", "sentence2": "A man plays a guitar."},
    "superglue/RTE": {"premise": "A man is playing a guitar on stage.", "hypothesis": "Someone plays music."},
    "superglue/WiC": {"word": "play", "sentence1": "A man plays a guitar.", "sentence2": "The children play outside."},
    "glue/SST-2": {"sentence": "A warm, funny and moving film."},
    "extra/mnli-sample": {"premise": "A man is playing a guitar on stage.", "hypothesis": "Someone plays music."},
    "extra/snli-sample": {"premise": "A man is playing a guitar on stage.", "hypothesis": "Someone plays music."},
    "extra/qnli-sample": {"question": "Who plays the guitar?", "sentence": "A man is playing a guitar on stage."},
    "glue/QNLI": {"question": "Who plays the guitar?", "sentence": "A man is playing a guitar on stage."},
}
DEFAULT = {"sentence1": "A man is playing a guitar on stage.", "sentence2": "Someone plays music."}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", action="append", required=True)
    ap.add_argument("--requests", type=int, default=1600)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--inputs", type=int, default=1, help="inputs per request (the same one repeated)")
    ap.add_argument("--mptj", default="./mptj")
    ap.add_argument("--serve-arg", action="append", default=[], help="extra flag for mptj serve")
    a = ap.parse_args()
    queue = [] if any(x.startswith("--queue") for x in a.serve_arg) else ["--queue", "1024"]
    cmd = [a.mptj, "serve", "--port", "0"] + queue + a.serve_arg
    for r in a.run:
        cmd += ["--run", r]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        line = json.loads(proc.stdout.readline())
        url, tasks = line["url"], line["tasks"]
        bodies = [json.dumps({"task": t, "inputs": [FIELDS.get(t, DEFAULT)] * a.inputs}).encode() for t in tasks]
        alone = [post(url, b, answer=True)[1] for b in bodies]  # warm up; each task's answer alone
        lat, status, lock = [], {}, threading.Lock()
        differ = [0]
        counter = iter(range(a.requests))

        def client():
            for i in counter:
                t0 = time.perf_counter()
                code, got = post(url, bodies[i % len(bodies)], answer=True)
                dt = time.perf_counter() - t0
                with lock:
                    lat.append(dt)
                    status[code] = status.get(code, 0) + 1
                    if code == 200 and not same(got, alone[i % len(bodies)]):
                        differ[0] += 1

        before = metrics(url)
        start = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(a.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
        after = metrics(url)
        lat.sort()
        passes = after["mptj_batches_total"] - before["mptj_batches_total"]
        rows = after["mptj_batch_inputs_total"] - before["mptj_batch_inputs_total"]
        print(json.dumps({
            "tasks": tasks, "runs": len(a.run), "serve_args": a.serve_arg, "requests": a.requests, "clients": a.clients, "inputs_per_request": a.inputs,
            "requests_per_s": round(a.requests / wall, 1),
            "p50_ms": round(1000 * lat[len(lat) // 2], 1),
            "p99_ms": round(1000 * lat[min(len(lat) - 1, int(len(lat) * 0.99))], 1),
            "status": status, "answers_differing_from_alone": differ[0], "forward_passes": passes,
            "inputs_per_pass": round(rows / max(passes, 1), 1),
            "tokens_per_s": round((after["mptj_batch_tokens_total"] - before["mptj_batch_tokens_total"]) / wall),
            "tokens_per_input": round((after["mptj_batch_tokens_total"] - before["mptj_batch_tokens_total"]) / max(rows, 1), 1),
        }))
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def post(url, body, answer=False):
    req = urllib.request.Request(url + "/v1/predict", data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            got = json.loads(r.read())
            return (r.status, got) if answer else r.status
    except urllib.error.HTTPError as e:
        return (e.code, None) if answer else e.code


def same(a, b, tol=1e-4):
    """Whether two /v1/predict answers agree: labels equal, scores within tol."""
    pa, pb = a["predictions"], b["predictions"]
    if len(pa) != len(pb):
        return False
    for x, y in zip(pa, pb):
        if x.get("label") != y.get("label"):
            return False
        for k, v in (x.get("scores") or {}).items():
            if abs(v - y["scores"][k]) > tol:
                return False
        if "value" in x and abs(x["value"] - y["value"]) > tol:
            return False
    return True


def metrics(url):
    out = {}
    with urllib.request.urlopen(url + "/metrics") as r:
        for line in r.read().decode().splitlines():
            if line and not line.startswith("#") and "{" not in line:
                k, v = line.split()
                out[k] = float(v)
    return out


if __name__ == "__main__":
    sys.exit(main())
