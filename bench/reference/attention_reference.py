#!/usr/bin/env python3
"""PyTorch reference of the papers' 1-layer attention model, for `npm run bench -- attention`.

Written from the spec (docs/protocol.md §2; science spec §2), as the standard, unfolded
model: tokens [a, b, =] (vocab V = p+1, "=" is token p), x = E[token] + pos[position];
optional parameter-free pre-LN (eps 1e-5) before the attention, the MLP and the
unembedding; keys and values at all three positions, only the last position queries;
heads of d/heads; softmax(q.k / sqrt(dh)) over the three keys; residual
x_= + attn Wo, then + GELU(. Win) Wout; logits = . U. No biases. Every seed lives on a
leading axis of each parameter tensor (gather + bmm), as in mlp_reference.py; full-batch
AdamW decays every parameter (all are weight matrices).

Input, modes and output: as mlp_reference.py (its `run`), from a manifest that also
carries the model (heads, preLayerNorm).
"""
import math

import torch
import torch.nn.functional as F

from mlp_reference import make_adamw, make_loss_step, run

NAMES = ("E", "pos", "Wq", "Wk", "Wv", "Wo", "Win", "Wout", "U")


def make_step(m, P, a, b, y, args):
    S, n = a.shape
    V, d = P["E"].shape[1:]
    heads = int(m["model"]["heads"])
    pre_ln = bool(m["model"]["preLayerNorm"])
    dh = d // heads
    adamw = make_adamw(m, P, NAMES, ())
    tokens = torch.stack([a, b, torch.full_like(a, V - 1)], dim=-1)  # [S, n, 3]
    index = tokens.reshape(S, n * 3, 1).expand(S, n * 3, d)

    def ln(x):
        return F.layer_norm(x, (d,), eps=1e-5) if pre_ln else x

    def forward():
        x = torch.gather(P["E"], 1, index).view(S, n, 3, d) + P["pos"].unsqueeze(1)
        h = ln(x)
        k = torch.bmm(h.reshape(S, n * 3, d), P["Wk"]).view(S, n, 3, heads, dh)
        v = torch.bmm(h.reshape(S, n * 3, d), P["Wv"]).view(S, n, 3, heads, dh)
        q = torch.bmm(h[:, :, 2], P["Wq"]).view(S, n, 1, heads, dh)
        att = ((q * k).sum(-1) / math.sqrt(dh)).softmax(dim=2)  # [S, n, 3, heads]
        z = (att.unsqueeze(-1) * v).sum(2).reshape(S, n, d)
        xl = x[:, :, 2] + torch.bmm(z, P["Wo"])
        xo = xl + torch.bmm(F.gelu(torch.bmm(ln(xl), P["Win"])), P["Wout"])
        return torch.bmm(ln(xo), P["U"])

    return make_loss_step(m, adamw, forward, y)


if __name__ == "__main__":
    run(make_step)
