#!/usr/bin/env python3
"""Reference for the causal-LM loss: random logits and labels with ignored (-100) positions, and the loss
transformers computes for them (logits[:, :-1] against labels[:, 1:], F.cross_entropy with ignore_index=-100, mean
over the unmasked tokens of the whole batch). Debian python3-torch; usage: python3 make_causal_loss_fixture.py OUT.json
"""
import json
import sys

import torch
import torch.nn.functional as F

torch.manual_seed(7)
B, T, V = 3, 6, 11
logits = torch.randn(B, T, V, dtype=torch.float64) * 3
labels = torch.randint(0, V, (B, T))
labels[0, :3] = -100        # a prompt
labels[1, :2] = -100        # a prompt ...
labels[1, 4:] = -100        # ... and right padding
labels[2, 0] = -100
shift_logits = logits[:, :-1, :].reshape(-1, V)
shift_labels = labels[:, 1:].reshape(-1)
loss = F.cross_entropy(shift_logits, shift_labels, ignore_index=-100)
row0 = F.cross_entropy(logits[0, :-1, :], labels[0, 1:], ignore_index=-100)
with open(sys.argv[1], "w") as f:
    json.dump({"shape": [B, T, V], "logits": logits.reshape(-1).tolist(), "labels": labels.reshape(-1).tolist(),
               "loss": loss.item(), "row0_loss": row0.item()}, f)
print("loss", loss.item())
