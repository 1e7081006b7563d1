#!/usr/bin/env python3
"""Loopback load test of `mptj serve` (bounded: N requests from C concurrent clients).

  bench/serve-load.py --run RUN_DIR [--run RUN_DIR ...] [--requests 1600] [--clients 32]

Starts the server on a free port, sends one-input requests round-robin over every served task,
and prints one JSON line: requests/s, inputs/s, p50/p99 latency, status counts, forward passes and
inputs per pass (from /metrics). Needs only the Python standard library.
"""
import argparse, json, subprocess, sys, threading, time, urllib.request, urllib.error

FIELDS = {  # two-sentence inputs in each task's own field names
    "superglue/CB": {"premise": "A man is playing a guitar on stage.", "hypothesis": "Someone plays music."},
    "glue/RTE": {"sentence1": "A man is playing a guitar on stage.", "sentence2": "Someone plays music."},
    "glue/MRPC": {"sentence1": "A man is playing a guitar on stage.", "sentence2": "A man plays a guitar."},
}
DEFAULT = {"sentence1": "A man is playing a guitar on stage.", "sentence2": "Someone plays music."}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", action="append", required=True)
    ap.add_argument("--requests", type=int, default=1600)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--mptj", default="./mptj")
    a = ap.parse_args()
    cmd = [a.mptj, "serve", "--port", "0", "--queue", "1024"]
    for r in a.run:
        cmd += ["--run", r]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        line = json.loads(proc.stdout.readline())
        url, tasks = line["url"], line["tasks"]
        bodies = [json.dumps({"task": t, "inputs": [FIELDS.get(t, DEFAULT)]}).encode() for t in tasks]
        for b in bodies:  # warm up
            post(url, b)
        lat, status, lock = [], {}, threading.Lock()
        counter = iter(range(a.requests))

        def client():
            for i in counter:
                t0 = time.perf_counter()
                code = post(url, bodies[i % len(bodies)])
                dt = time.perf_counter() - t0
                with lock:
                    lat.append(dt)
                    status[code] = status.get(code, 0) + 1

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
            "tasks": tasks, "runs": len(a.run), "requests": a.requests, "clients": a.clients,
            "requests_per_s": round(a.requests / wall, 1),
            "p50_ms": round(1000 * lat[len(lat) // 2], 1),
            "p99_ms": round(1000 * lat[min(len(lat) - 1, int(len(lat) * 0.99))], 1),
            "status": status, "forward_passes": passes,
            "inputs_per_pass": round(rows / max(passes, 1), 1),
            "tokens_per_s": round((after["mptj_batch_tokens_total"] - before["mptj_batch_tokens_total"]) / wall),
        }))
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def post(url, body):
    req = urllib.request.Request(url + "/v1/predict", data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


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
