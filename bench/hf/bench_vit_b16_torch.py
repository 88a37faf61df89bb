#!/usr/bin/python3
"""PyTorch-eager side of the ViT-B/16 LoRA training benchmark (bench/hf/vit_b16_train.sh runs it in turn with
VitB16TrainBench.java). One process is one round.

The model is a plain-torch twin of transformers' ViTForImageClassification (and of LoRA Lab's ViT): image 224,
patch 16, hidden 768, 12 layers, 12 heads, MLP 3072, qkv bias, exact GELU, layer_norm_eps 1e-12, 101 labels,
classifier on the CLS token. LoRA r=16 alpha=16 on query and value with a LoRA Linear written here
(y = base(x) + s * B(A(x)), PEFT's lora.Linear with dropout 0), the classifier trained in full (modules_to_save):
667,493 trainable scalars. Batch 8 at 224x224. A training step is forward + cross-entropy + backward + AdamW
(lr 1e-3) on the trainable tensors. The weights are random: the timing does not depend on their values.

Prints  RESULT torch_vit_b16_train_ms <mean wall ms per step over --steps steps after --warmup steps>
        RESULT torch_vit_b16_train_cpu_ms <process CPU ms per step of the same steps>
"""
import argparse
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

IMAGE, PATCH, CHANNELS, HIDDEN, LAYERS, HEADS, MLP, LABELS, EPS = 224, 16, 3, 768, 12, 12, 3072, 101, 1e-12
R, ALPHA, BATCH = 16, 16, 8


class LoraLinear(nn.Module):
    """y = base(x) + s * B(A(x)); A kaiming-uniform, B zero, as PEFT initialises them."""

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
    def __init__(self):
        super().__init__()
        self.query = nn.Linear(HIDDEN, HIDDEN)
        self.key = nn.Linear(HIDDEN, HIDDEN)
        self.value = nn.Linear(HIDDEN, HIDDEN)

    def forward(self, x):
        b, t, _ = x.shape
        split = lambda z: z.view(b, t, HEADS, HIDDEN // HEADS).transpose(1, 2)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        p = (q @ k.transpose(-1, -2) / math.sqrt(HIDDEN // HEADS)).softmax(-1)
        return (p @ v).transpose(1, 2).reshape(b, t, HIDDEN)


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention = SelfAttention()
        self.attention_output = nn.Linear(HIDDEN, HIDDEN)
        self.intermediate = nn.Linear(HIDDEN, MLP)
        self.output = nn.Linear(MLP, HIDDEN)
        self.layernorm_before = nn.LayerNorm(HIDDEN, eps=EPS)
        self.layernorm_after = nn.LayerNorm(HIDDEN, eps=EPS)

    def forward(self, x):
        h = x + self.attention_output(self.attention(self.layernorm_before(x)))
        return h + self.output(F.gelu(self.intermediate(self.layernorm_after(h))))


class VitB16(nn.Module):
    def __init__(self):
        super().__init__()
        tokens = (IMAGE // PATCH) ** 2 + 1
        self.projection = nn.Conv2d(CHANNELS, HIDDEN, PATCH, stride=PATCH)
        self.cls_token = nn.Parameter(torch.randn(1, 1, HIDDEN) * 0.02)
        self.position_embeddings = nn.Parameter(torch.randn(1, tokens, HIDDEN) * 0.02)
        self.layer = nn.ModuleList([Layer() for _ in range(LAYERS)])
        self.layernorm = nn.LayerNorm(HIDDEN, eps=EPS)
        self.classifier = nn.Linear(HIDDEN, LABELS)

    def forward(self, x):
        p = self.projection(x).flatten(2).transpose(1, 2)
        t = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), p], dim=1) + self.position_embeddings
        for layer in self.layer:
            t = layer(t)
        return self.classifier(self.layernorm(t)[:, 0])


def with_lora(model):
    for p in model.parameters():
        p.requires_grad_(False)
    for layer in model.layer:
        layer.attention.query = LoraLinear(layer.attention.query, R, ALPHA)
        layer.attention.value = LoraLinear(layer.attention.value, R, ALPHA)
    model.classifier.requires_grad_(True)
    return model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)

    model = with_lora(VitB16()).train()
    trainable = [p for p in model.parameters() if p.requires_grad]
    total = sum(p.numel() for p in model.parameters())
    print("# torch %s, threads %d: trainable %d of %d" % (
        torch.__version__, torch.get_num_threads(), sum(p.numel() for p in trainable), total), flush=True)
    opt = torch.optim.AdamW(trainable, lr=1e-3)
    x, y = torch.randn(BATCH, CHANNELS, IMAGE, IMAGE), torch.randint(0, LABELS, (BATCH,))

    def step():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        opt.step()

    for _ in range(a.warmup):
        step()
    cpu0, t0 = time.process_time(), time.perf_counter()
    for _ in range(a.steps):
        step()
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    print("RESULT torch_vit_b16_train_ms %.1f" % (wall * 1000.0 / a.steps), flush=True)
    print("RESULT torch_vit_b16_train_cpu_ms %.1f" % (cpu * 1000.0 / a.steps), flush=True)


if __name__ == "__main__":
    main()
