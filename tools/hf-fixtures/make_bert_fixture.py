#!/usr/bin/python3
"""Writes the tiny BERT and RoBERTa fixtures under lora/src/test/resources/hf/bert-tiny/ (run from the repository root).

Random weights in the exact Hugging Face layout of BertForSequenceClassification and
RobertaForSequenceClassification (config.json, model.safetensors) and the logits an independent reference forward
computes on them for a padded batch (and for each row without its padding). The forward below is written from the
published architectures (Devlin et al. 2019, post-LN Transformer encoder; Liu et al. 2019, RoBERTa's position ids
counted from padding_idx + 1 over the non-pad tokens) with torch.nn.functional ops in float64; it shares no code with
the Java side. Needs only Debian's python3-torch (1.13); no transformers.

    /usr/bin/python3 tools/hf-fixtures/make_bert_fixture.py
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_reference import write_safetensors  # noqa: E402

OUT = os.path.join("lora", "src", "test", "resources", "hf", "bert-tiny")
LABELS = ["negative", "neutral", "positive"]
SEED = 20261207
VOCAB, HIDDEN, LAYERS, HEADS, INTERMEDIATE, POSITIONS = 100, 32, 2, 4, 64, 40


def config(kind):
    roberta = kind == "roberta"
    cfg = {
        "architectures": ["RobertaForSequenceClassification" if roberta else "BertForSequenceClassification"],
        "attention_probs_dropout_prob": 0.1,
        "classifier_dropout": None,
        "hidden_act": "gelu_new" if roberta else "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": HIDDEN,
        "id2label": {str(i): l for i, l in enumerate(LABELS)},
        "initializer_range": 0.02,
        "intermediate_size": INTERMEDIATE,
        "label2id": {l: i for i, l in enumerate(LABELS)},
        "layer_norm_eps": 1e-5 if roberta else 1e-12,
        "max_position_embeddings": POSITIONS,
        "model_type": kind,
        "num_attention_heads": HEADS,
        "num_hidden_layers": LAYERS,
        "pad_token_id": 1 if roberta else 0,
        "position_embedding_type": "absolute",
        "problem_type": "single_label_classification",
        "torch_dtype": "float32",
        "type_vocab_size": 1 if roberta else 2,
        "use_cache": True,
        "vocab_size": VOCAB,
    }
    if roberta:
        cfg["bos_token_id"] = 0
        cfg["eos_token_id"] = 2
    return cfg


def random_state_dict(cfg, gen):
    """Parameters named and shaped as transformers' modules (nn.Linear weight is [out, in])."""
    prefix = cfg["model_type"]
    d, f, n = cfg["hidden_size"], cfg["intermediate_size"], len(LABELS)
    sd = {}

    def normal(*shape, std=0.3):
        return torch.randn(*shape, generator=gen, dtype=torch.float64) * std

    def linear(name, out_f, in_f):
        sd[name + ".weight"] = normal(out_f, in_f, std=1.0 / math.sqrt(in_f))
        sd[name + ".bias"] = normal(out_f, std=0.1)

    def norm(name):
        sd[name + ".weight"] = 1.0 + normal(d, std=0.1)
        sd[name + ".bias"] = normal(d, std=0.1)

    e = prefix + ".embeddings."
    sd[e + "word_embeddings.weight"] = normal(cfg["vocab_size"], d)
    sd[e + "position_embeddings.weight"] = normal(cfg["max_position_embeddings"], d)
    sd[e + "token_type_embeddings.weight"] = normal(cfg["type_vocab_size"], d)
    norm(e + "LayerNorm")
    for i in range(cfg["num_hidden_layers"]):
        l = "%s.encoder.layer.%d." % (prefix, i)
        for p in ("query", "key", "value"):
            linear(l + "attention.self." + p, d, d)
        linear(l + "attention.output.dense", d, d)
        norm(l + "attention.output.LayerNorm")
        linear(l + "intermediate.dense", f, d)
        linear(l + "output.dense", d, f)
        norm(l + "output.LayerNorm")
    if prefix == "bert":
        linear("bert.pooler.dense", d, d)
        linear("classifier", n, d)
    else:
        linear("classifier.dense", d, d)
        linear("classifier.out_proj", n, d)
    return sd


def activation(name, x):
    if name == "gelu":
        return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))
    if name == "gelu_new":
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))
    if name == "relu":
        return torch.clamp(x, min=0.0)
    raise ValueError(name)


def reference_forward(sd, cfg, ids, mask, types):
    """Logits [B, labels] of the sequence classifier, in float64 (dropout off: inference)."""
    prefix = cfg["model_type"]
    d, h = cfg["hidden_size"], cfg["num_attention_heads"]
    hd = d // h
    eps = cfg["layer_norm_eps"]
    batch, length = ids.shape

    def lin(name, x):
        return x @ sd[name + ".weight"].T + sd[name + ".bias"]

    def ln(name, x):
        mean = x.mean(-1, keepdim=True)
        var = ((x - mean) ** 2).mean(-1, keepdim=True)
        return (x - mean) / torch.sqrt(var + eps) * sd[name + ".weight"] + sd[name + ".bias"]

    if prefix == "roberta":
        pad = cfg["pad_token_id"]
        real = (ids != pad).long()
        positions = torch.cumsum(real, dim=1) * real + pad  # pads sit at padding_idx, tokens count from pad + 1
    else:
        positions = torch.arange(length).unsqueeze(0).expand(batch, length)
    e = prefix + ".embeddings."
    x = (sd[e + "word_embeddings.weight"][ids] + sd[e + "position_embeddings.weight"][positions]
         + sd[e + "token_type_embeddings.weight"][types])
    x = ln(e + "LayerNorm", x)
    # a key at a pad position gets no attention from any query
    bias = (1.0 - mask.double())[:, None, None, :] * -1e30
    for i in range(cfg["num_hidden_layers"]):
        l = "%s.encoder.layer.%d." % (prefix, i)

        def heads_of(name):
            return lin(l + "attention.self." + name, x).reshape(batch, length, h, hd).transpose(1, 2)

        q, k, v = heads_of("query"), heads_of("key"), heads_of("value")
        probs = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hd) + bias, dim=-1)
        context = (probs @ v).transpose(1, 2).reshape(batch, length, d)
        x = ln(l + "attention.output.LayerNorm", lin(l + "attention.output.dense", context) + x)
        mid = activation(cfg["hidden_act"], lin(l + "intermediate.dense", x))
        x = ln(l + "output.LayerNorm", lin(l + "output.dense", mid) + x)
    first = x[:, 0]
    if prefix == "bert":
        return lin("classifier", torch.tanh(lin("bert.pooler.dense", first)))
    return lin("classifier.out_proj", torch.tanh(lin("classifier.dense", first)))


def batch_inputs(cfg):
    """Four rows of length 7: 0, 3 and 5 pad tokens at the end, then 2 at the start (left padding, where RoBERTa's
    position ids count the non-pad tokens); token types 0 then 1 where the model has two."""
    pad, lengths, left, length = cfg["pad_token_id"], [7, 4, 2, 5], [False, False, False, True], 7
    ids, mask, types = [], [], []
    for b, n in enumerate(lengths):
        row = [(7 * t + 13 * b + 5) % (cfg["vocab_size"] - 3) + 3 for t in range(n)]
        kinds = [min(1, cfg["type_vocab_size"] - 1) if t >= n // 2 else 0 for t in range(n)]
        padding = length - n
        if left[b]:
            ids.append([pad] * padding + row)
            mask.append([0] * padding + [1] * n)
            types.append([0] * padding + kinds)
        else:
            ids.append(row + [pad] * padding)
            mask.append([1] * n + [0] * padding)
            types.append(kinds + [0] * padding)
    return torch.tensor(ids), torch.tensor(mask), torch.tensor(types), lengths, left


def save_model(directory, cfg, sd):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "config.json"), "w") as f:
        f.write(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    tensors = {k: ("F32", list(v.shape), v.float().flatten().tolist()) for k, v in sd.items()}
    write_safetensors(os.path.join(directory, "model.safetensors"), tensors, {"format": "pt"})


def main():
    gen = torch.Generator().manual_seed(SEED)
    expected = {}
    for kind in ("bert", "roberta"):
        cfg = config(kind)
        sd = random_state_dict(cfg, gen)
        # the checkpoint holds float32: compute the reference from exactly those values
        sd = {k: v.float().double() for k, v in sd.items()}
        save_model(os.path.join(OUT, kind), cfg, sd)
        ids, mask, types, lengths, left = batch_inputs(cfg)
        logits = reference_forward(sd, cfg, ids, mask, types)
        rows = []
        for b, n in enumerate(lengths):
            cut = slice(ids.shape[1] - n, None) if left[b] else slice(0, n)
            rows.append(reference_forward(sd, cfg, ids[b:b + 1, cut], mask[b:b + 1, cut], types[b:b + 1, cut])[0]
                        .tolist())
        expected[kind] = {"input_ids": ids.tolist(), "attention_mask": mask.tolist(),
                          "token_type_ids": types.tolist(), "lengths": lengths, "left_padded": left,
                          "logits": logits.tolist(), "unpadded_logits": rows}
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        f.write(json.dumps(expected, indent=1) + "\n")


if __name__ == "__main__":
    main()
