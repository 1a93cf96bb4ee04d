# Trains the tiny byte-level decoder-only LM of samples/tiny-lm with Debian's PyTorch (python3-torch), in exactly the
# architecture scripts/lm/decoder-graph.ts builds, and saves its weights and torch reference figures for make-fixture.ts.
# Run: /usr/bin/python3 scripts/lm/train.py OUT_DIR [--steps 2000] [--minutes 45] [--seed 1]   (needs apt-get install -y python3-torch)
import argparse
import json
import math
import os
import struct
import sys
import time

# One BLAS thread: OpenBLAS's own pool plus torch's OpenMP threads oversubscribe 2 cores and run ~10x slower.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402
import torch.nn.functional as F

CONFIG = {"layers": 4, "hidden": 128, "heads": 4, "mlp": 512, "vocab": 256, "context": 256, "positions": "sinusoidal"}
HELDOUT_BYTES = 32 * 1024
VALIDATION_BYTES = 16 * 1024
MASK_VALUE = -65504.0  # what decoder-graph.ts adds to masked attention scores


def corpus():
    """The Python 3 documentation's topic texts (Debian's libpython3-stdlib, PSF License), as one UTF-8 byte string."""
    from pydoc_data.topics import topics

    text = "\n\n".join(topics[k].strip("\n") for k in sorted(topics)) + "\n"
    return text.encode("utf-8")


def split(data):
    """Held-out text = the last whole lines making HELDOUT_BYTES; validation = the VALIDATION_BYTES before; train = the rest."""

    def cut(end, size):
        start = data.rfind(b"\n", 0, end - size) + 1
        return start

    held_start = cut(len(data), HELDOUT_BYTES)
    val_start = cut(held_start, VALIDATION_BYTES)
    return data[:val_start], data[val_start:held_start], data[held_start:]


def parameter_shapes(c):
    h, m, v = c["hidden"], c["mlp"], c["vocab"]
    shapes = {"model.embed_tokens.weight": [v, h]}
    if c["positions"] == "learned":
        shapes["model.embed_positions.weight"] = [c["context"], h]
    for i in range(c["layers"]):
        p = f"model.layers.{i}."
        shapes.update({p + "ln_1.weight": [h], p + "ln_1.bias": [h]})
        for proj in ("q_proj", "k_proj", "v_proj", "o_proj"):
            shapes.update({p + f"attn.{proj}.weight": [h, h], p + f"attn.{proj}.bias": [h]})
        shapes.update({p + "ln_2.weight": [h], p + "ln_2.bias": [h]})
        shapes.update({p + "mlp.up_proj.weight": [h, m], p + "mlp.up_proj.bias": [m]})
        shapes.update({p + "mlp.down_proj.weight": [m, h], p + "mlp.down_proj.bias": [h]})
    shapes.update({"model.norm.weight": [h], "model.norm.bias": [h], "lm_head.weight": [h, v]})
    return shapes


def init_parameters(c, gen):
    params = {}
    for name, shape in parameter_shapes(c).items():
        if name.endswith("norm.weight") or ".ln_" in name and name.endswith(".weight"):
            t = torch.ones(shape)
        elif name.endswith(".bias"):
            t = torch.zeros(shape)
        else:
            std = 0.02
            if name.endswith("o_proj.weight") or name.endswith("down_proj.weight"):
                std = 0.02 / math.sqrt(2 * c["layers"])
            t = torch.randn(shape, generator=gen) * std
        params[name] = torch.nn.Parameter(t)
    return params


def positions(p, c, s):
    """[s, hidden] position embeddings: the learned table, or sin/cos of position × 10000^(-2i/hidden) as the graph computes them."""
    if c["positions"] == "learned":
        return p["model.embed_positions.weight"][:s]
    half = c["hidden"] // 2
    inv_freq = torch.tensor([math.pow(10000, (-2 * i) / c["hidden"]) for i in range(half)], dtype=torch.float32)[None]
    angles = torch.arange(s, dtype=torch.float32)[:, None] @ inv_freq
    return torch.cat([torch.sin(angles), torch.cos(angles)], dim=-1)


def forward(p, c, ids, dropout=0.0):
    """Logits [batch, seq, vocab] for ids [batch, seq] with no past: the graph decoder-graph.ts builds."""
    b, s = ids.shape
    h, nh = c["hidden"], c["heads"]
    hd = h // nh
    x = p["model.embed_tokens.weight"][ids] + positions(p, c, s)
    x = F.dropout(x, dropout, dropout > 0)
    causal = torch.ones(s, s, dtype=torch.bool).tril()
    bias = torch.where(causal, torch.tensor(0.0), torch.tensor(MASK_VALUE))
    for i in range(c["layers"]):
        q_ = f"model.layers.{i}."
        y = F.layer_norm(x, (h,), p[q_ + "ln_1.weight"], p[q_ + "ln_1.bias"], 1e-5)

        def proj(t, name):
            return t @ p[q_ + name + ".weight"] + p[q_ + name + ".bias"]

        def heads(t):
            return t.reshape(b, s, nh, hd).transpose(1, 2)

        q, k, v = heads(proj(y, "attn.q_proj")), heads(proj(y, "attn.k_proj")), heads(proj(y, "attn.v_proj"))
        scores = (q @ k.transpose(2, 3)) * (1.0 / math.sqrt(hd)) + bias
        a = torch.softmax(scores, dim=-1) @ v
        a = proj(a.transpose(1, 2).reshape(b, s, h), "attn.o_proj")
        x = x + F.dropout(a, dropout, dropout > 0)
        y = F.layer_norm(x, (h,), p[q_ + "ln_2.weight"], p[q_ + "ln_2.bias"], 1e-5)
        u = F.gelu(proj(y, "mlp.up_proj"))  # exact (erf) GELU
        x = x + F.dropout(proj(u, "mlp.down_proj"), dropout, dropout > 0)
    x = F.layer_norm(x, (h,), p["model.norm.weight"], p["model.norm.bias"], 1e-5)
    return x @ p["lm_head.weight"]


@torch.no_grad()
def perplexity(p, c, data, window, limit=None):
    """exp(mean NLL) over non-overlapping windows of `window` bytes, each run with no past (the first byte of each is not predicted)."""
    data = data[:limit] if limit else data
    total, count = 0.0, 0
    for start in range(0, len(data) - 1, window):
        chunk = torch.tensor(list(data[start : start + window]), dtype=torch.long)[None]
        if chunk.shape[1] < 2:
            continue
        logits = forward(p, c, chunk)
        nll = F.cross_entropy(logits[0, :-1], chunk[0, 1:], reduction="sum")
        total, count = total + nll.item(), count + chunk.shape[1] - 1
    return math.exp(total / count)


def save(p, c, out_dir, extra):
    os.makedirs(out_dir, exist_ok=True)
    entries, offset = [], 0
    with open(os.path.join(out_dir, "weights.bin"), "wb") as f:
        for name, shape in parameter_shapes(c).items():
            t = p[name].detach().contiguous().float()
            raw = t.numpy().astype("<f4").tobytes()
            f.write(raw)
            entries.append({"name": name, "shape": shape, "offset": offset})
            offset += len(raw)
    with open(os.path.join(out_dir, "weights.json"), "w") as f:
        json.dump({"config": c, "tensors": entries, **extra}, f, indent=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--minutes", type=float, default=45.0, help="wall-clock cap: the schedule ends at the steps or the minutes, whichever comes first")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (1 is fastest on a busy 2-core machine)")
    ap.add_argument("--positions", choices=["learned", "sinusoidal"], default=CONFIG["positions"])
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    c = dict(CONFIG, positions=args.positions)
    train, val, held = split(corpus())
    os.makedirs(args.out_dir, exist_ok=True)
    with open(os.path.join(args.out_dir, "heldout.txt"), "wb") as f:
        f.write(held)
    print(f"text: train {len(train)} B, validation {len(val)} B, held out {len(held)} B", flush=True)
    gen = torch.Generator().manual_seed(args.seed)
    p = init_parameters(c, gen)
    decay = [t for n, t in p.items() if n.endswith(".weight") and t.dim() == 2]
    rest = [t for n, t in p.items() if not (n.endswith(".weight") and t.dim() == 2)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": rest, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.95))
    data = torch.tensor(list(train), dtype=torch.long)
    s = c["context"]
    budget = args.minutes * 60
    started = time.time()
    step, warmup = 0, 100
    best = (float("inf"), None)
    last_eval = started
    while True:
        elapsed = time.time() - started
        frac = max(step / args.steps, elapsed / budget)
        if frac >= 1:
            break
        lr = args.lr * min(1.0, (step + 1) / warmup) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * frac)))
        for g in opt.param_groups:
            g["lr"] = lr
        starts = torch.randint(0, len(data) - s - 1, (args.batch,), generator=gen)
        batch = torch.stack([data[i : i + s + 1] for i in starts.tolist()])
        logits = forward(p, c, batch[:, :-1], dropout=0.1)
        loss = F.cross_entropy(logits.reshape(-1, c["vocab"]), batch[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(list(p.values()), 1.0)
        opt.step()
        step += 1
        if time.time() - last_eval > 120 or time.time() - started > budget:
            last_eval = time.time()
            vp = perplexity(p, c, val, s)
            if vp < best[0]:
                best = (vp, {n: t.detach().clone() for n, t in p.items()})
            print(f"step {step} {elapsed:.0f}s lr {lr:.2e} train loss {loss.item():.3f} validation ppl {vp:.3f}", flush=True)
    vp = perplexity(p, c, val, s)
    if vp < best[0]:
        best = (vp, {n: t.detach().clone() for n, t in p.items()})
    p = best[1]
    train_seconds = time.time() - started
    held_ppl = perplexity(p, c, held, s)
    held_ppl_4k = perplexity(p, c, held, 128, limit=4096)
    # Reference logits of the first context window of the held-out text, for make-fixture.ts to compare with.
    ref_ids = torch.tensor(list(held[:s]), dtype=torch.long)[None]
    with torch.no_grad():
        ref = forward(p, c, ref_ids)[0].contiguous().numpy().astype("<f4")
    with open(os.path.join(args.out_dir, "reference-logits.bin"), "wb") as f:
        f.write(ref.tobytes())
    extra = {
        "torch": torch.__version__,
        "seed": args.seed,
        "steps": step,
        "batch": args.batch,
        "train_seconds": round(train_seconds),
        "train_bytes": len(train),
        "validation_bytes": len(val),
        "heldout_bytes": len(held),
        "validation_perplexity": best[0],
        "heldout_perplexity": held_ppl,
        "heldout_perplexity_first4096_window128": held_ppl_4k,
        "reference_window": s,
    }
    save(p, c, args.out_dir, extra)
    print(json.dumps(extra, indent=1))


if __name__ == "__main__":
    sys.exit(main())
