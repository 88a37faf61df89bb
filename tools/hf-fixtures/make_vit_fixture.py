#!/usr/bin/python3
"""Writes the tiny ViT fixtures under lora/src/test/resources/hf/vit-tiny/ (run from the repository root).

Random weights in the exact Hugging Face layout (config.json, model.safetensors, preprocessor_config.json) and the
outputs an independent reference forward computes on them. The forward below is written from the published ViT
architecture (Dosovitskiy et al. 2021, pre-norm encoder) with torch.nn.functional ops in float64; it shares no code
with the Java side. Needs only Debian's python3-torch (1.13) and python3-pil; no transformers.

    /usr/bin/python3 tools/hf-fixtures/make_vit_fixture.py
"""
import json
import math
import os
import struct

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

OUT = os.path.join("lora", "src", "test", "resources", "hf", "vit-tiny")
LABELS = ["cat", "dog", "frog", "horse", "ship"]
SEED = 20261206


def vit_config(architecture, hidden, layers, heads, intermediate, act, qkv_bias, eps, dtype, labels):
    cfg = {
        "architectures": [architecture],
        "attention_probs_dropout_prob": 0.0,
        "encoder_stride": 8,
        "hidden_act": act,
        "hidden_dropout_prob": 0.0,
        "hidden_size": hidden,
        "image_size": 32,
        "initializer_range": 0.02,
        "intermediate_size": intermediate,
        "layer_norm_eps": eps,
        "model_type": "vit",
        "num_attention_heads": heads,
        "num_channels": 3,
        "num_hidden_layers": layers,
        "patch_size": 8,
        "qkv_bias": qkv_bias,
        "torch_dtype": dtype,
    }
    if labels:
        cfg["id2label"] = {str(i): l for i, l in enumerate(labels)}
        cfg["label2id"] = {l: i for i, l in enumerate(labels)}
    return cfg


def random_state_dict(cfg, prefix, classifier, pooler, gen):
    """Parameters named and shaped as transformers' ViT modules (nn.Linear weight is [out, in])."""
    d, f, p, c = cfg["hidden_size"], cfg["intermediate_size"], cfg["patch_size"], cfg["num_channels"]
    tokens = (cfg["image_size"] // p) ** 2 + 1

    def normal(*shape, std):
        return torch.randn(*shape, generator=gen, dtype=torch.float64) * std

    def linear(name, out_f, in_f, bias=True):
        sd[name + ".weight"] = normal(out_f, in_f, std=1.0 / math.sqrt(in_f))
        if bias:
            sd[name + ".bias"] = normal(out_f, std=0.1)

    def norm(name):
        sd[name + ".weight"] = 1.0 + normal(d, std=0.1)
        sd[name + ".bias"] = normal(d, std=0.1)

    sd = {}
    sd[prefix + "embeddings.cls_token"] = normal(1, 1, d, std=0.5)
    sd[prefix + "embeddings.position_embeddings"] = normal(1, tokens, d, std=0.5)
    sd[prefix + "embeddings.patch_embeddings.projection.weight"] = normal(d, c, p, p, std=1.0 / math.sqrt(c * p * p))
    sd[prefix + "embeddings.patch_embeddings.projection.bias"] = normal(d, std=0.1)
    for i in range(cfg["num_hidden_layers"]):
        layer = prefix + "encoder.layer.%d." % i
        for q in ("query", "key", "value"):
            linear(layer + "attention.attention." + q, d, d, bias=cfg["qkv_bias"])
        linear(layer + "attention.output.dense", d, d)
        linear(layer + "intermediate.dense", f, d)
        linear(layer + "output.dense", d, f)
        norm(layer + "layernorm_before")
        norm(layer + "layernorm_after")
    norm(prefix + "layernorm")
    if pooler:
        linear(prefix + "pooler.dense", d, d)
    if classifier:
        linear("classifier", len(cfg["id2label"]), d)
    return sd


ACTIVATIONS = {
    "gelu": lambda x: 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0))),
    "gelu_new": lambda x: 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3))),
    "quick_gelu": lambda x: x * torch.sigmoid(1.702 * x),
    "relu": lambda x: torch.clamp(x, min=0.0),
    "silu": lambda x: x * torch.sigmoid(x),
    "tanh": torch.tanh,
}


def reference_forward(sd, cfg, pixels, prefix, classifier, pooler):
    """ViT forward from the paper: patchify, [CLS] + positions, pre-norm blocks, final norm, head on [CLS]."""
    d, heads, eps = cfg["hidden_size"], cfg["num_attention_heads"], cfg["layer_norm_eps"]
    dh = d // heads
    act = ACTIVATIONS[cfg["hidden_act"]]
    w = lambda n: sd[prefix + n]
    b = lambda n: sd.get(prefix + n)
    batch = pixels.shape[0]
    x = F.conv2d(pixels, w("embeddings.patch_embeddings.projection.weight"),
                 w("embeddings.patch_embeddings.projection.bias"), stride=cfg["patch_size"])
    x = x.flatten(2).transpose(1, 2)
    x = torch.cat([w("embeddings.cls_token").expand(batch, 1, d), x], dim=1) + w("embeddings.position_embeddings")
    for i in range(cfg["num_hidden_layers"]):
        L = "encoder.layer.%d." % i
        h = F.layer_norm(x, (d,), w(L + "layernorm_before.weight"), w(L + "layernorm_before.bias"), eps)
        def heads_of(name):
            y = F.linear(h, w(L + "attention.attention." + name + ".weight"), b(L + "attention.attention." + name + ".bias"))
            return y.view(batch, -1, heads, dh).permute(0, 2, 1, 3)
        q, k, v = heads_of("query"), heads_of("key"), heads_of("value")
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(dh), dim=-1) @ v
        att = att.permute(0, 2, 1, 3).reshape(batch, -1, d)
        x = x + F.linear(att, w(L + "attention.output.dense.weight"), w(L + "attention.output.dense.bias"))
        h = F.layer_norm(x, (d,), w(L + "layernorm_after.weight"), w(L + "layernorm_after.bias"), eps)
        h = act(F.linear(h, w(L + "intermediate.dense.weight"), w(L + "intermediate.dense.bias")))
        x = x + F.linear(h, w(L + "output.dense.weight"), w(L + "output.dense.bias"))
    x = F.layer_norm(x, (d,), w("layernorm.weight"), w("layernorm.bias"), eps)
    out = {"last_hidden_state": x}
    if pooler:
        out["pooler_output"] = torch.tanh(F.linear(x[:, 0], w("pooler.dense.weight"), w("pooler.dense.bias")))
    if classifier:
        out["logits"] = F.linear(x[:, 0], sd["classifier.weight"], sd["classifier.bias"])
    return out


DTYPES = {"F32": (torch.float32, "float32"), "F16": (torch.float16, "float16"), "BF16": (torch.bfloat16, "bfloat16")}


def tensor_bytes(t):
    if t.dtype == torch.bfloat16:
        return t.contiguous().view(torch.int16).numpy().astype("<i2").tobytes()
    return t.contiguous().numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def write_safetensors(path, tensors, dtype_name):
    """The safetensors format: u64 LE header length, JSON header (padded with spaces to 8 bytes), raw LE data."""
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        data = tensor_bytes(tensors[name])
        header[name] = {"dtype": dtype_name, "shape": list(tensors[name].shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(text)))
        out.write(text)
        for blob in blobs:
            out.write(blob)
    return offset


def save_model(directory, cfg, sd, dtype_name, shards=1):
    os.makedirs(directory, exist_ok=True)
    torch_dtype, cfg_dtype = DTYPES[dtype_name]
    cfg = dict(cfg, torch_dtype=cfg_dtype)
    with open(os.path.join(directory, "config.json"), "w") as f:
        f.write(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    rounded = {n: t.to(torch_dtype) for n, t in sd.items()}
    if shards == 1:
        write_safetensors(os.path.join(directory, "model.safetensors"), rounded, dtype_name)
    else:
        names = sorted(rounded)
        cut = len(names) // 2
        parts = [names[:cut], names[cut:]]
        weight_map, total = {}, 0
        for i, part in enumerate(parts):
            file = "model-%05d-of-%05d.safetensors" % (i + 1, len(parts))
            total += write_safetensors(os.path.join(directory, file), {n: rounded[n] for n in part}, dtype_name)
            weight_map.update({n: file for n in part})
        index = {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}
        with open(os.path.join(directory, "model.safetensors.index.json"), "w") as f:
            f.write(json.dumps(index, indent=2) + "\n")
    return {n: t.to(torch.float64) for n, t in rounded.items()}


def pixel_inputs(batch, channels, size):
    """Deterministic test input both sides compute: sin(0.37 i + 1.3 b) over the flat CHW index i, as float32."""
    i = torch.arange(channels * size * size, dtype=torch.float64)
    rows = [torch.sin(0.37 * i + 1.3 * b) for b in range(batch)]
    return torch.stack(rows).view(batch, channels, size, size).float().double()


PREPROCESSOR = {
    "do_normalize": True,
    "do_rescale": True,
    "do_resize": True,
    "image_mean": [0.485, 0.456, 0.406],
    "image_processor_type": "ViTImageProcessor",
    "image_std": [0.229, 0.224, 0.225],
    "resample": 2,
    "rescale_factor": 0.00392156862745098,
    "size": {"height": 32, "width": 32},
}


def preprocess(image):
    """ViTImageProcessor's steps: RGB, PIL bilinear resize, rescale, normalise, channels first."""
    size = PREPROCESSOR["size"]
    rgb = image.convert("RGB").resize((size["width"], size["height"]), resample=Image.BILINEAR)
    x = np.asarray(rgb).astype(np.float64) * PREPROCESSOR["rescale_factor"]
    x = (x - np.array(PREPROCESSOR["image_mean"])) / np.array(PREPROCESSOR["image_std"])
    return x.astype(np.float32).transpose(2, 0, 1)


def test_images(gen):
    """A 45x37 RGB image (downscaled on both axes) and a 28x28 grayscale one (upscaled, as Fashion-MNIST is)."""
    yy, xx = np.mgrid[0:37, 0:45]
    noise = torch.randint(0, 64, (37, 45, 3), generator=gen).numpy()
    rgb = np.stack([xx * 5, yy * 6, (xx * yy) % 200], axis=-1) + noise
    gray = torch.randint(0, 256, (28, 28), generator=gen).numpy()
    gray[8:20, 8:20] = 255
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB"), Image.fromarray(gray.astype(np.uint8), "L")


def flat(t):
    return [float("%.9g" % v) for v in t.reshape(-1).tolist()]


def main():
    gen = torch.Generator().manual_seed(SEED)
    expected = {"pixels": "sin(0.37 * i + 1.3 * b), i the flat CHW index in image b, rounded to float32",
                "batch": 2}
    pixels = pixel_inputs(2, 3, 32)

    cfg = vit_config("ViTForImageClassification", 24, 2, 4, 32, "gelu", True, 1e-12, "float32", LABELS)
    sd = random_state_dict(cfg, "vit.", classifier=True, pooler=False, gen=gen)
    for name, dtype, shards in (("classifier", "F32", 1), ("classifier-f16", "F16", 1),
                                ("classifier-bf16", "BF16", 1), ("classifier-sharded", "F32", 2)):
        weights = save_model(os.path.join(OUT, name), cfg, sd, dtype, shards)
        out = reference_forward(weights, cfg, pixels, "vit.", classifier=True, pooler=False)
        expected[name] = {"logits": flat(out["logits"]), "shape": list(out["logits"].shape)}
    with open(os.path.join(OUT, "classifier", "preprocessor_config.json"), "w") as f:
        f.write(json.dumps(PREPROCESSOR, indent=2, sort_keys=True) + "\n")

    bcfg = vit_config("ViTModel", 24, 1, 4, 32, "gelu_new", False, 1e-6, "float32", None)
    bsd = random_state_dict(bcfg, "", classifier=False, pooler=True, gen=gen)
    weights = save_model(os.path.join(OUT, "backbone"), bcfg, bsd, "F32")
    out = reference_forward(weights, bcfg, pixels, "", classifier=False, pooler=True)
    expected["backbone"] = {"last_hidden_state": flat(out["last_hidden_state"]),
                            "shape": list(out["last_hidden_state"].shape),
                            "pooler_output": flat(out["pooler_output"])}

    rgb, gray = test_images(gen)
    rgb.save(os.path.join(OUT, "image-rgb.png"))
    gray.save(os.path.join(OUT, "image-gray.png"))
    write_safetensors(os.path.join(OUT, "expected-pixel-values.safetensors"),
                      {"image-rgb.png": torch.from_numpy(preprocess(rgb)),
                       "image-gray.png": torch.from_numpy(preprocess(gray))}, "F32")

    xs = torch.linspace(-4, 4, 17, dtype=torch.float64)
    expected["activations"] = {"x": flat(xs), **{n: flat(a(xs)) for n, a in ACTIVATIONS.items()}}
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        f.write(json.dumps(expected) + "\n")


if __name__ == "__main__":
    main()
