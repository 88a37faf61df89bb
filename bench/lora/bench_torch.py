#!/usr/bin/python3
"""PyTorch-eager side of the LoRA benchmark (bench/lora/run.sh runs it next to the DJL side).

Same models, shapes, batch, optimizer and LoRA placement as bench/lora/.../LoraBench.java:
  vit : ViT (image 32, patch 4, 3 channels, hidden 128, 4 layers, 4 heads, MLP 512, 10 classes),
        LoRA r=8 alpha=16 on query+value, the classifier trained in full (modules_to_save), batch 32
  mlp : Linear stack 512 -> 512 x4 -> 10 with ReLU, LoRA r=8 alpha=16 on every Linear, batch 64
Training step = forward + cross-entropy + backward + Adam(lr 1e-3) step on trainable params only.
Prints one line per measurement:  RESULT <name> <milliseconds per step>
"""
import argparse
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class LoraLinear(nn.Module):
    """PEFT's lora.Linear with dropout 0: y = base(x) + s * B(A(x))."""

    def __init__(self, base, r, alpha):
        super().__init__()
        self.base = base
        self.lora_A = nn.Linear(base.in_features, r, bias=False)
        self.lora_B = nn.Linear(r, base.out_features, bias=False)
        nn.init.kaiming_uniform_(self.lora_A.weight, a=math.sqrt(5))
        nn.init.zeros_(self.lora_B.weight)
        self.scaling = alpha / r

    def forward(self, x):
        return self.base(x) + self.lora_B(self.lora_A(x)) * self.scaling


class SelfAttention(nn.Module):
    def __init__(self, hidden, heads):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)

    def forward(self, x):
        b, t, h = x.shape
        split = lambda z: z.view(b, t, self.heads, h // self.heads).transpose(1, 2)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        p = (q @ k.transpose(-1, -2) / math.sqrt(h // self.heads)).softmax(-1)
        return (p @ v).transpose(1, 2).reshape(b, t, h)


class Layer(nn.Module):
    def __init__(self, hidden, heads, mlp):
        super().__init__()
        self.attention = SelfAttention(hidden, heads)
        self.attention_output = nn.Linear(hidden, hidden)
        self.intermediate = nn.Linear(hidden, mlp)
        self.output = nn.Linear(mlp, hidden)
        self.layernorm_before = nn.LayerNorm(hidden, eps=1e-12)
        self.layernorm_after = nn.LayerNorm(hidden, eps=1e-12)

    def forward(self, x):
        h = x + self.attention_output(self.attention(self.layernorm_before(x)))
        return h + self.output(F.gelu(self.intermediate(self.layernorm_after(h))))


class Vit(nn.Module):
    def __init__(self, image, patch, channels, hidden, layers, heads, mlp, classes):
        super().__init__()
        n = (image // patch) ** 2
        self.projection = nn.Conv2d(channels, hidden, patch, stride=patch)
        self.cls_token = nn.Parameter(torch.randn(1, 1, hidden) * 0.02)
        self.position_embeddings = nn.Parameter(torch.randn(1, n + 1, hidden) * 0.02)
        self.layer = nn.ModuleList([Layer(hidden, heads, mlp) for _ in range(layers)])
        self.layernorm = nn.LayerNorm(hidden, eps=1e-12)
        self.classifier = nn.Linear(hidden, classes)

    def forward(self, x):
        p = self.projection(x).flatten(2).transpose(1, 2)
        t = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), p], dim=1) + self.position_embeddings
        for layer in self.layer:
            t = layer(t)
        return self.classifier(self.layernorm(t)[:, 0])


def mlp_stack(width, depth, classes):
    mods = []
    for _ in range(depth):
        mods += [nn.Linear(width, width), nn.ReLU()]
    mods.append(nn.Linear(width, classes))
    return nn.Sequential(*mods)


def add_lora(model, names, r, alpha):
    for p in model.parameters():
        p.requires_grad_(False)
    for parent in list(model.modules()):
        for child_name, child in list(parent.named_children()):
            if isinstance(child, nn.Linear) and child_name in names:
                setattr(parent, child_name, LoraLinear(child, r, alpha))


REPEATS = 3


def time_steps(step, warmup, steps):
    """Mean ms per step of the best of REPEATS blocks (the machine is shared; the minimum is the least
    disturbed estimate), after warmup steps. Same rule as LoraBench.bestMs."""
    for _ in range(warmup):
        step()
    best = float("inf")
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        best = min(best, (time.perf_counter() - t0) * 1000.0 / steps)
    return best


def train_ms(model, x, y, warmup, steps):
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-3)

    def step():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        opt.step()

    model.train()
    return time_steps(step, warmup, steps)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=2)
    a = ap.parse_args()
    global REPEATS
    REPEATS = a.repeats
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)

    vit = Vit(32, 4, 3, 128, 4, 4, 512, 10)
    add_lora(vit, {"query", "value"}, 8, 16)
    vit.classifier.requires_grad_(True)
    xv, yv = torch.randn(32, 3, 32, 32), torch.randint(0, 10, (32,))
    print("RESULT torch_vit_train_ms %.3f" % train_ms(vit, xv, yv, a.warmup, a.steps), flush=True)

    mlp = mlp_stack(512, 4, 10)
    add_lora(mlp, {str(i) for i in range(0, 9, 2)}, 8, 16)
    xm, ym = torch.randn(64, 512), torch.randint(0, 10, (64,))
    print("RESULT torch_mlp_train_ms %.3f" % train_ms(mlp, xm, ym, a.warmup, a.steps), flush=True)


if __name__ == "__main__":
    main()
