#!/usr/bin/python3
"""Tiny random Llama-family checkpoints in the exact Hugging Face layout, with reference outputs.

Run with Debian's torch (no transformers needed, none is used):
    /usr/bin/python3 tools/hf-fixtures/make_llama_fixture.py [resources_dir]
(default resources_dir: lora/src/test/resources/hf). For each family it writes
    <name>/config.json, <name>/generation_config.json, <name>/model.safetensors
and <expected>/<name>.json with a fixed batch (a full row, a left-padded and a right-padded row with their
attention mask), the reference logits for it, and a 12-token greedy continuation of a prompt.

The reference forward below is written from the published architecture (Llama: RMSNorm, rotate-half RoPE,
grouped-query attention, SiLU-gated MLP; Qwen2 = Llama with q/k/v bias; Mistral = Llama without bias), in
float64, head by head; it is deliberately not a port of the Java code. Positions come from the attention mask
(cumulative sum - 1), as transformers' generate() computes them, so a left-padded row gives the same logits
at its real tokens as the unpadded sequence. The safetensors file is written by hand following the format
(8-byte little-endian header length, JSON header padded with spaces to 8 bytes, raw little-endian data).
"""
import json
import math
import os
import struct
import sys

import torch

TOL_MARGIN = 1e-3  # greedy steps whose top-2 logit gap is smaller would make the test fragile: reseed

FAMILIES = {
    "llama-tiny": dict(
        seed=31,
        config={
            "architectures": ["LlamaForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
            "bos_token_id": 1, "eos_token_id": 2, "head_dim": 16, "hidden_act": "silu", "hidden_size": 32,
            "initializer_range": 0.02, "intermediate_size": 64, "max_position_embeddings": 256,
            "mlp_bias": False, "model_type": "llama", "num_attention_heads": 4, "num_hidden_layers": 2,
            "num_key_value_heads": 2, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
            "rope_scaling": {"factor": 8.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                             "original_max_position_embeddings": 64, "rope_type": "llama3"},
            "rope_theta": 10000.0, "tie_word_embeddings": True, "torch_dtype": "float32",
            "transformers_version": "4.46.0", "use_cache": True, "vocab_size": 128},
        generation={"bos_token_id": 1, "eos_token_id": [2, 5], "do_sample": True, "temperature": 0.6,
                    "top_p": 0.9, "transformers_version": "4.46.0"}),
    "qwen2-tiny": dict(
        seed=12,
        config={
            "architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 3,
            "eos_token_id": 4, "hidden_act": "silu", "hidden_size": 32, "initializer_range": 0.02,
            "intermediate_size": 64, "max_position_embeddings": 512, "max_window_layers": 2,
            "model_type": "qwen2", "num_attention_heads": 4, "num_hidden_layers": 2, "num_key_value_heads": 2,
            "rms_norm_eps": 1e-06, "rope_scaling": None, "rope_theta": 1000000.0, "sliding_window": None,
            "tie_word_embeddings": False, "torch_dtype": "float32", "transformers_version": "4.46.0",
            "use_cache": True, "use_sliding_window": False, "vocab_size": 96},
        generation={"bos_token_id": 3, "eos_token_id": 4, "transformers_version": "4.46.0"}),
    "mistral-tiny": dict(
        seed=13,
        config={
            "architectures": ["MistralForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 1,
            "eos_token_id": 2, "head_dim": 8, "hidden_act": "silu", "hidden_size": 32,
            "initializer_range": 0.02, "intermediate_size": 48, "max_position_embeddings": 512,
            "model_type": "mistral", "num_attention_heads": 4, "num_hidden_layers": 2,
            "num_key_value_heads": 1, "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "sliding_window": 4096,
            "tie_word_embeddings": False, "torch_dtype": "float32", "transformers_version": "4.46.0",
            "use_cache": True, "vocab_size": 80},
        generation={"bos_token_id": 1, "eos_token_id": 2, "transformers_version": "4.46.0"}),
}


def head_dim(c):
    return c.get("head_dim") or c["hidden_size"] // c["num_attention_heads"]


def make_weights(c, seed):
    """Random float32 weights named as transformers' state_dict names them."""
    g = torch.Generator().manual_seed(seed)
    h, d, i = c["hidden_size"], head_dim(c), c["intermediate_size"]
    nh, nkv, v = c["num_attention_heads"], c["num_key_value_heads"], c["vocab_size"]
    qwen = c["model_type"] == "qwen2"
    attn_bias = c.get("attention_bias", False) or qwen

    def rnd(*shape, std):
        return (torch.randn(*shape, generator=g) * std).float()

    w = {"model.embed_tokens.weight": rnd(v, h, std=0.25 if c["tie_word_embeddings"] else 1.0)}
    for layer in range(c["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        for name, out_f, in_f in (("q_proj", nh * d, h), ("k_proj", nkv * d, h), ("v_proj", nkv * d, h),
                                  ("o_proj", h, nh * d)):
            w[p + f"self_attn.{name}.weight"] = rnd(out_f, in_f, std=(3 if name == "o_proj" else 1) * in_f ** -0.5)
            if attn_bias and name != "o_proj":
                w[p + f"self_attn.{name}.bias"] = rnd(out_f, std=0.5)
        for name, out_f, in_f in (("gate_proj", i, h), ("up_proj", i, h), ("down_proj", h, i)):
            w[p + f"mlp.{name}.weight"] = rnd(out_f, in_f, std=(3 if name == "down_proj" else 1) * in_f ** -0.5)
        w[p + "input_layernorm.weight"] = 1.0 + rnd(h, std=0.2)
        w[p + "post_attention_layernorm.weight"] = 1.0 + rnd(h, std=0.2)
    w["model.norm.weight"] = 1.0 + rnd(h, std=0.2)
    if not c["tie_word_embeddings"]:
        w["lm_head.weight"] = rnd(v, h, std=h ** -0.5)
    return w


# ---------------------------------------------------------------- reference forward (float64)

def inverse_frequencies(c):
    d = head_dim(c)
    inv = [1.0 / (c["rope_theta"] ** (2 * j / d)) for j in range(d // 2)]
    rs = c.get("rope_scaling")
    if rs is None:
        return inv
    assert rs["rope_type"] == "llama3"
    factor, lo, hi = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
    old = rs["original_max_position_embeddings"]
    out = []
    for f in inv:
        wavelength = 2 * math.pi / f
        if wavelength < old / hi:          # high frequency: unchanged
            out.append(f)
        elif wavelength > old / lo:        # low frequency: slowed down by factor
            out.append(f / factor)
        else:                              # in between: interpolate on old/wavelength
            s = (old / wavelength - lo) / (hi - lo)
            out.append((1 - s) * f / factor + s * f)
    return out


def rms_norm(x, weight, eps):
    return weight * (x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps))


def rope(x, positions, inv):
    """x [T, d] for one head; the pair (j, j + d/2) rotates by angle position * inv[j]."""
    d = x.shape[-1]
    out = x.clone()
    for t in range(x.shape[0]):
        for j in range(d // 2):
            a = positions[t] * inv[j]
            x1, x2 = x[t, j], x[t, j + d // 2]
            out[t, j] = x1 * math.cos(a) - x2 * math.sin(a)
            out[t, j + d // 2] = x2 * math.cos(a) + x1 * math.sin(a)
    return out


def forward_row(c, w, ids, mask):
    """Logits [T, vocab] of one sequence; mask[t] = 0 marks padding (never attended to)."""
    W = {k: t.double() for k, t in w.items()}
    d, nh, nkv = head_dim(c), c["num_attention_heads"], c["num_key_value_heads"]
    eps, inv = c["rms_norm_eps"], inverse_frequencies(c)
    positions, seen = [], 0
    for m in mask:
        seen += m
        positions.append(max(seen - 1, 0))
    T = len(ids)
    x = W["model.embed_tokens.weight"][torch.tensor(ids)]

    def linear(name, inp):
        y = inp @ W[name + ".weight"].T
        return y + W[name + ".bias"] if name + ".bias" in W else y

    for layer in range(c["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        hn = rms_norm(x, W[p + "input_layernorm.weight"], eps)
        q = linear(p + "self_attn.q_proj", hn)
        k = linear(p + "self_attn.k_proj", hn)
        v = linear(p + "self_attn.v_proj", hn)
        heads = []
        for head in range(nh):
            kv = head // (nh // nkv)
            qh = rope(q[:, head * d:(head + 1) * d], positions, inv)
            kh = rope(k[:, kv * d:(kv + 1) * d], positions, inv)
            vh = v[:, kv * d:(kv + 1) * d]
            scores = qh @ kh.T / math.sqrt(d)
            for a in range(T):
                for b in range(T):
                    if b > a or mask[b] == 0:
                        scores[a, b] = -1e30
            heads.append(torch.softmax(scores, -1) @ vh)
        x = x + linear(p + "self_attn.o_proj", torch.cat(heads, -1))
        hn = rms_norm(x, W[p + "post_attention_layernorm.weight"], eps)
        gate = linear(p + "mlp.gate_proj", hn)
        x = x + linear(p + "mlp.down_proj", gate * torch.sigmoid(gate) * linear(p + "mlp.up_proj", hn))
    x = rms_norm(x, W["model.norm.weight"], eps)
    head = W["model.embed_tokens.weight"] if c["tie_word_embeddings"] else W["lm_head.weight"]
    return x @ head.T


def greedy(c, w, prompt, steps):
    ids, gaps = list(prompt), []
    for _ in range(steps):
        logits = forward_row(c, w, ids, [1] * len(ids))[-1]
        top = torch.topk(logits, 2).values
        gaps.append(float(top[0] - top[1]))
        ids.append(int(torch.argmax(logits)))
    return ids[len(prompt):], min(gaps)


# ---------------------------------------------------------------- files

def write_safetensors(path, tensors, dtype):
    """Hand-written safetensors: header {name: {dtype, shape, data_offsets}} + raw little-endian bytes."""
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        if dtype == "BF16":
            raw = t.to(torch.bfloat16).view(torch.int16).numpy().astype("<i2").tobytes()
        else:
            raw = t.float().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def write_json(path, obj, indent=2):
    with open(path, "w") as f:
        json.dump(obj, f, indent=indent, sort_keys=indent is not None)
        f.write("\n")


def batch_for(c, seed):
    g = torch.Generator().manual_seed(seed + 100)
    v, T = c["vocab_size"], 7
    full = torch.randint(6, v, (T,), generator=g).tolist()
    short = torch.randint(6, v, (T - 2,), generator=g).tolist()
    ids = [full, [0, 0] + short, short + [0, 0]]
    mask = [[1] * T, [0, 0] + [1] * (T - 2), [1] * (T - 2) + [0, 0]]
    return ids, mask


def emit(out, name, c, gen, w, seed, dtype):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    write_json(os.path.join(d, "config.json"), c)
    write_json(os.path.join(d, "generation_config.json"), gen)
    write_safetensors(os.path.join(d, "model.safetensors"), w, dtype)
    if dtype == "BF16":  # the reference sees exactly the weights the file holds
        w = {k: t.to(torch.bfloat16).float() for k, t in w.items()}
    ids, mask = batch_for(c, seed)
    logits = [forward_row(c, w, r, m) for r, m in zip(ids, mask)]
    prompt = ids[0][:5]
    continuation, gap = greedy(c, w, prompt, 12)
    if gap < TOL_MARGIN:
        raise SystemExit(f"{name}: greedy top-2 gap {gap} too small for a robust test; change the seed")
    expected = {"input_ids": ids, "attention_mask": mask,
                "logits": [[[round(float(x), 7) for x in row] for row in lg] for lg in logits],
                "prompt": prompt, "greedy_continuation": continuation, "min_greedy_gap": gap}
    os.makedirs(os.path.join(out, "expected"), exist_ok=True)
    write_json(os.path.join(out, "expected", name + ".json"), expected, indent=None)
    print(f"{name}: {sum(t.numel() for t in w.values())} parameters, greedy {continuation}, min gap {gap:.4f}")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join("lora", "src", "test", "resources", "hf")
    for name, spec in FAMILIES.items():
        w = make_weights(spec["config"], spec["seed"])
        emit(out, name, spec["config"], spec["generation"], w, spec["seed"], "F32")
        if name == "llama-tiny":
            c = dict(spec["config"], torch_dtype="bfloat16")
            emit(out, "llama-tiny-bf16", c, spec["generation"], w, spec["seed"], "BF16")


if __name__ == "__main__":
    main()
