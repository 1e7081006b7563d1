#!/usr/bin/env python3
"""PyTorch eager reference for `mptj bench compare` (issue 14).

The same prompted BERT step as `mptj bench forward`: a soft prompt (B, P, d) prepended to the token
embeddings, absolute positions over P+T, post-LayerNorm blocks, exact GELU; forward under no_grad, and
forward+backward of the output's sum to the prompt alone (frozen weights, requires_grad False).
Reads the weights, the prompt and a parity input from the safetensors file mptj wrote, checks that
its output matches mptj's on that input, then times both passes. Prints one JSON line.
"""
import argparse, json, os, struct, sys, time

import torch
import torch.nn.functional as F

DTYPES = {"F32": torch.float32, "I64": torch.int64}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        t = torch.frombuffer(bytearray(data[a:b]), dtype=DTYPES[info["dtype"]])
        out[name] = t.reshape(info["shape"])
    return out, header.get("__metadata__", {})


class Bert:
    def __init__(self, w, layers, heads, eps):
        self.w, self.layers, self.heads, self.eps = w, layers, heads, eps

    def ln(self, x, name):
        return F.layer_norm(x, x.shape[-1:], self.w[name + ".weight"], self.w[name + ".bias"], self.eps)

    def lin(self, x, name):
        return F.linear(x, self.w[name + ".weight"], self.w[name + ".bias"])

    def forward(self, prompt, ids):
        w = self.w
        x = torch.cat([prompt.expand(ids.shape[0], -1, -1), w["embeddings.word_embeddings.weight"][ids]], 1)
        L = x.shape[1]
        x = x + w["embeddings.position_embeddings.weight"][:L] + w["embeddings.token_type_embeddings.weight"][0]
        h = self.ln(x, "embeddings.LayerNorm")
        B, d = h.shape[0], h.shape[2]
        dh = d // self.heads
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            def split(t):
                return t.view(B, L, self.heads, dh).transpose(1, 2)
            q = split(self.lin(h, p + "attention.self.query")) / dh ** 0.5
            k = split(self.lin(h, p + "attention.self.key"))
            v = split(self.lin(h, p + "attention.self.value"))
            ctx = torch.softmax(q @ k.transpose(-1, -2), -1) @ v
            ctx = ctx.transpose(1, 2).reshape(B, L, d)
            h = self.ln(self.lin(ctx, p + "attention.output.dense") + h, p + "attention.output.LayerNorm")
            inner = F.gelu(self.lin(h, p + "intermediate.dense"))
            h = self.ln(self.lin(inner, p + "output.dense") + h, p + "output.LayerNorm")
        return h


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", required=True)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--prompt-length", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    w, meta = read_safetensors(a.weights)
    model = Bert(w, int(meta["layers"]), int(meta["heads"]), float(meta["eps"]))
    with torch.no_grad():
        got = model.forward(w["__check_prompt"], w["__check_ids"].long())
    err = (got - w["__check_out"]).abs().max().item()
    g = torch.Generator().manual_seed(7)
    ids = torch.randint(1000, 20000, (a.batch, a.seq), generator=g)
    prompt = (0.05 * torch.randn(a.batch, a.prompt_length, w["__check_prompt"].shape[-1], generator=g)).requires_grad_(True)
    fwd, step = [], []
    for r in range(-1, a.repeats):
        t = time.perf_counter()
        with torch.no_grad():
            model.forward(prompt, ids)
        f = time.perf_counter() - t
        t = time.perf_counter()
        model.forward(prompt, ids).sum().backward()
        prompt.grad = None
        b = time.perf_counter() - t
        if r >= 0:
            fwd.append(f)
            step.append(b)
    tokens = a.batch * a.seq
    cfg = torch.__config__.show()
    blas = next((l.split("=", 1)[1].strip() for l in cfg.split(",") if "BLAS_INFO" in l), "unknown")
    kernel = None
    try:
        from threadpoolctl import threadpool_info
        kernel = [{k: i.get(k) for k in ("internal_api", "version", "architecture", "num_threads")} for i in threadpool_info()]
    except Exception:
        pass
    print(json.dumps({
        "engine": "pytorch-eager", "torch": torch.__version__, "blas": blas, "threads": torch.get_num_threads(),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"), "blas_kernels": kernel,
        "parity_max_abs_diff": err,
        "forward_tokens_per_s": round(tokens / median(fwd), 1),
        "forward_backward_tokens_per_s": round(tokens / median(step), 1)}))
    return 0 if err < 1e-3 else 3


if __name__ == "__main__":
    sys.exit(main())
