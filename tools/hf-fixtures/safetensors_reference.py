#!/usr/bin/python3
"""Reference files for the Java safetensors reader/writer tests, written from the format's specification.

safetensors layout: 8 bytes little-endian u64 N, then N bytes of UTF-8 JSON
{"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}, ...}, padded with spaces so
that N is a multiple of 8, then the data section. The reference writer (safetensors' save_file) orders tensors by
descending dtype (its Dtype enum order: BOOL U8 I8 F8_E5M2 F8_E4M3 I16 U16 F16 BF16 I32 U32 F32 F64 I64 U64), then by
name, and writes compact JSON with __metadata__ first.

Outputs (under lora/src/test/resources/safetensors/):
  reference.safetensors   tensors of several dtypes, written with struct/json only (no torch, no safetensors)
  half_to_float.json      F16 and BF16 bit patterns -> float32 bits, converted by torch (Debian python3-torch)
Run: /usr/bin/python3 tools/hf-fixtures/safetensors_reference.py
"""
import json
import os
import struct

ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]
PACK = {"F32": "<f", "F16": "<e", "I64": "<q", "F64": "<d", "I32": "<i"}

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lora", "src", "test", "resources", "safetensors")


def write_safetensors(path, tensors, metadata):
    """tensors: name -> (dtype, shape, flat values)."""
    names = sorted(tensors, key=lambda n: (-ORDER.index(tensors[n][0]), n.encode("utf-8")))
    header = {"__metadata__": dict(sorted(metadata.items()))}
    data = b""
    for name in names:
        dtype, shape, values = tensors[name]
        raw = b"".join(struct.pack(PACK[dtype], v) for v in values)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        f.write(data)


def reference_file():
    tensors = {
        "model.b.weight": ("F32", [2, 3], [1.5, -2.0, 0.25, 3.0e-40, float("inf"), -0.0]),
        "model.a.bias": ("F32", [3], [0.1, 0.2, 0.3]),
        "half": ("F16", [2, 2], [1.0, -2.5, 6.1035156e-05, 65504.0]),
        "ids": ("I64", [2], [7, -3]),
        "scalar": ("F32", [], [42.0]),
        "empty": ("F32", [0, 4], []),
    }
    write_safetensors(os.path.join(OUT, "reference.safetensors"), tensors, {"format": "pt", "note": "héllo \"q\"\n"})


def half_table():
    import torch
    bits = [0x0000, 0x8000, 0x0001, 0x8001, 0x0200, 0x03FF, 0x0400, 0x3C00, 0xBC00, 0x3555, 0x7BFF, 0x7C00, 0xFC00,
            0x7E00, 0xFE00, 0x7E01, 0x7C01, 0x7FFF, 0x7F80, 0xFF80, 0x7FC0, 0x7F81, 0x0080, 0x007F, 0x4049]
    signed = torch.tensor([b - 65536 if b >= 32768 else b for b in bits], dtype=torch.int16)
    def f32bits(t):
        return [x & 0xFFFFFFFF for x in t.float().view(torch.int32).tolist()]
    table = {"bits": bits, "f16": f32bits(signed.view(torch.float16)), "bf16": f32bits(signed.view(torch.bfloat16)),
             "torch": torch.__version__}
    with open(os.path.join(OUT, "half_to_float.json"), "w") as f:
        json.dump(table, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    reference_file()
    half_table()
