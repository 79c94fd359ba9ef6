#!/usr/bin/env python3
"""PyTorch reference for grokflow's training bench.

The algorithm is the one in the papers' released code (paper A: critical-norm-grokking,
paper B: grokking-logit-scale), written independently here: every seed of a cell lives
on a leading axis of each parameter tensor and trains as one program — embedding
lookup by gather, [E[a]; E[b]] -> GELU(x W1 + b1) -> W2 + b2 as batched matrix
products, logits / tau, cross-entropy averaged over each seed's train pairs and summed
over seeds, full-batch AdamW (beta 0.9/0.999, eps 1e-8 added after the square root,
bias correction, decoupled decay lr*lambda applied to E, W1, W2 before the Adam step
as in paper A and torch's AdamW).

Fairness: this is the reference at its best on CPU. It trains on the train pairs only
(paper A's form; paper B's code forwards all p^2 pairs and masks, 2.5x the work),
fuses the biases into the products (baddbmm), uses the fused cross-entropy, and
uses torch's foreach AdamW. The caller picks the thread count (both OpenBLAS's and
torch's pools are set), measures 1 and 2 threads, and keeps the faster.

Input: a manifest JSON written by bench/train.ts (task, shapes, optimizer, per-seed
train indices) and a float32 little-endian file with every seed's initial parameters,
seed-major, each parameter row-major in the manifest's layout order — exported from
grokflow's own deterministic init so both sides start from identical weights.

Modes (one JSON object on stdout):
  speed   --steps N --warmup W : wall and CPU time of N steps after W untimed ones
  losses  --steps N            : per-seed train loss at steps 0..N (before each update)

--folded runs grokflow's folded first layer instead of the papers' standard model:
[P | Q] = E [W1_top | W1_bot] per seed ([p, H] each), pre = P[a] + Q[b] + b1 by
gather (autograd's backward is the scatter-add) — the same function with ~2.3x fewer
FLOPs, i.e. what a PyTorch user who folds would run. It is the fairest rival.

`run` (the argument parsing, the modes and the timing) is shared with
attention_reference.py.
"""
import argparse
import json
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def load_cell(manifest_path):
    with open(manifest_path) as f:
        m = json.load(f)
    raw = np.fromfile(m["paramsFile"], dtype="<f4")
    S = m["seeds"]
    layout = m["layout"]
    sizes = [int(np.prod(entry["shape"])) for entry in layout]
    per_seed = sum(sizes)
    if raw.size != S * per_seed:
        raise SystemExit(f"params file has {raw.size} floats, expected {S * per_seed}")
    blocks = raw.reshape(S, per_seed)
    params, offset = {}, 0
    for entry, size in zip(layout, sizes):
        chunk = blocks[:, offset:offset + size].reshape(S, *entry["shape"])
        params[entry["name"]] = torch.from_numpy(np.ascontiguousarray(chunk)).requires_grad_(True)
        offset += size
    a = torch.tensor(m["data"]["a"], dtype=torch.long)
    b = torch.tensor(m["data"]["b"], dtype=torch.long)
    y = torch.tensor(m["data"]["y"], dtype=torch.long)
    train = torch.tensor(m["train"], dtype=torch.long)  # [S, n_train]
    return m, params, a[train], b[train], y[train]


def make_adamw(m, P, matrices, biases):
    """torch's AdamW as the papers use it: decoupled decay on the weight matrices only."""
    opt = m["optimizer"]
    if opt["decayOrder"] != "before":
        raise SystemExit("the reference implements decay-before (paper A, torch AdamW) only")
    if m["loss"] != "ce":
        raise SystemExit("the reference implements cross-entropy only")
    groups = [{"params": [P[k] for k in matrices], "weight_decay": opt["weightDecay"]}]
    if biases:
        groups.append({"params": [P[k] for k in biases], "weight_decay": 0.0})
    return torch.optim.AdamW(groups, lr=opt["lr"], betas=(opt["beta1"], opt["beta2"]), eps=opt["eps"], foreach=True)


def make_loss_step(m, adamw, forward, y):
    """One full-batch step: logits / tau, CE averaged per seed, summed over seeds."""
    S, n = y.shape
    tau = float(m["tau"])
    target = y.reshape(-1)

    def step():
        logits = forward()
        if tau != 1.0:
            logits = logits / tau
        per_pair = F.cross_entropy(logits.reshape(S * n, logits.shape[-1]), target, reduction="none").view(S, n)
        per_seed = per_pair.mean(dim=1)
        adamw.zero_grad(set_to_none=True)
        per_seed.sum().backward()
        adamw.step()
        return per_seed.detach()

    return step


def make_step(m, P, a, b, y, folded=False):
    S, n = a.shape
    d = P["E"].shape[-1]
    H = P["W1"].shape[-1]
    adamw = make_adamw(m, P, ("E", "W1", "W2"), ("b1", "b2"))
    ia = a.unsqueeze(-1).expand(S, n, d)
    ib = b.unsqueeze(-1).expand(S, n, d)
    ja = a.unsqueeze(-1).expand(S, n, H)
    jb = b.unsqueeze(-1).expand(S, n, H)

    def standard():
        E = P["E"]
        x = torch.cat([torch.gather(E, 1, ia), torch.gather(E, 1, ib)], dim=-1)
        h = F.gelu(torch.baddbmm(P["b1"].unsqueeze(1), x, P["W1"]))
        return torch.baddbmm(P["b2"].unsqueeze(1), h, P["W2"])

    def fold():
        E, W1 = P["E"], P["W1"]
        top = torch.bmm(E, W1[:, :d])
        bot = torch.bmm(E, W1[:, d:])
        pre = torch.gather(top, 1, ja) + torch.gather(bot, 1, jb) + P["b1"].unsqueeze(1)
        return torch.baddbmm(P["b2"].unsqueeze(1), F.gelu(pre), P["W2"])

    return make_loss_step(m, adamw, fold if folded else standard, y)


def run(make):
    """Parses the command line, builds the step with make(m, P, a, b, y, args) and runs the mode."""
    ap = argparse.ArgumentParser()
    ap.add_argument("manifest")
    ap.add_argument("--mode", choices=["speed", "losses"], required=True)
    ap.add_argument("--steps", type=int, required=True)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--folded", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    m, P, a, b, y = load_cell(args.manifest)
    step = make(m, P, a, b, y, args)
    S = a.shape[0]
    if args.mode == "losses":
        losses = [step().tolist() for _ in range(args.steps + 1)]
        json.dump({"trainLoss": losses}, sys.stdout)
        return
    for _ in range(args.warmup):
        step()
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(args.steps):
        step()
    seconds, cpu_seconds = time.perf_counter() - t0, time.process_time() - c0
    json.dump({
        "threads": args.threads, "steps": args.steps, "seeds": S, "seconds": seconds,
        "cpuSeconds": cpu_seconds, "modelStepsPerSecond": S * args.steps / seconds, "torch": torch.__version__,
        "folded": args.folded,
    }, sys.stdout)


if __name__ == "__main__":
    run(lambda m, P, a, b, y, args: make_step(m, P, a, b, y, folded=args.folded))
