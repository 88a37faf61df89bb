#!/usr/bin/env python3
"""Writes a tiny LlamaForCausalLM checkpoint with random weights (seed 0) and the ChatML byte-level BPE tokenizer of
make_tokenizer.py, in save_pretrained's layout: config.json, generation_config.json, model.safetensors (written by
hand in the safetensors format: 8-byte little-endian header length, JSON header padded with spaces to 8 bytes,
__metadata__ {"format": "pt"}), tokenizer.json, tokenizer_config.json, special_tokens_map.json.

It is the stand-in for SmolLM2-135M-Instruct in notebook 10 and the model of the causal-LM training tests: its
weights are random, so before fine-tuning it writes noise. Debian python3-torch; usage:
python3 make_tiny_chat_llama.py OUT_DIR
"""
import json
import os
import struct
import subprocess
import sys

import torch

CONFIG = {
    "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 512, "hidden_size": 64,
    "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
    "head_dim": 16, "hidden_act": "silu", "max_position_embeddings": 256, "rms_norm_eps": 1e-5,
    "rope_theta": 10000.0, "rope_scaling": None, "attention_bias": False, "attention_dropout": 0.0,
    "mlp_bias": False, "tie_word_embeddings": True, "bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 2,
    "initializer_range": 0.08, "pretraining_tp": 1, "use_cache": True, "torch_dtype": "float32",
}
EMBED_STD = 0.1  # larger than initializer_range so the tied head can become confident under LoRA on q/v alone


def weights(c):
    g = torch.Generator().manual_seed(0)
    h, i, d = c["hidden_size"], c["intermediate_size"], c["head_dim"]
    q, kv = c["num_attention_heads"] * d, c["num_key_value_heads"] * d
    std = c["initializer_range"]
    out = {"model.embed_tokens.weight": torch.randn(c["vocab_size"], h, generator=g) * EMBED_STD}
    for n in range(c["num_hidden_layers"]):
        p = "model.layers.%d." % n
        for name, shape in (("self_attn.q_proj", (q, h)), ("self_attn.k_proj", (kv, h)),
                            ("self_attn.v_proj", (kv, h)), ("self_attn.o_proj", (h, q)),
                            ("mlp.gate_proj", (i, h)), ("mlp.up_proj", (i, h)), ("mlp.down_proj", (h, i))):
            out[p + name + ".weight"] = torch.randn(*shape, generator=g) * std
        out[p + "input_layernorm.weight"] = torch.ones(h)
        out[p + "post_attention_layernorm.weight"] = torch.ones(h)
    out["model.norm.weight"] = torch.ones(h)
    return out


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        data = tensors[name].contiguous().to(torch.float32).numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(CONFIG, f, indent=2)
    with open(os.path.join(out, "generation_config.json"), "w") as f:
        json.dump({"bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 2}, f, indent=2)
    write_safetensors(os.path.join(out, "model.safetensors"), weights(CONFIG))
    here = os.path.dirname(os.path.abspath(__file__))
    subprocess.run([sys.executable, os.path.join(here, "make_tokenizer.py"), out], check=True)
    os.remove(os.path.join(out, "expected_encodings.json"))


if __name__ == "__main__":
    main()
