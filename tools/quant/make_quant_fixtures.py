#!/usr/bin/python3
"""Reference fixtures for org.loralab.lora.quant (NF4, double quantisation, int8 row-wise).

Written from the published NF4 / double-quantisation / int8 formats (QLoRA paper, bitsandbytes documentation),
not from bitsandbytes code (bitsandbytes is not installed).
Run with the Debian interpreter:  /usr/bin/python3 tools/quant/make_quant_fixtures.py
It rewrites lora/src/test/resources/fixtures/quant/*.json (atomically) and, with --java-table, prints the
256-entry dynamic map as Java float literals.

Float arithmetic is float32 throughout, in the same order as the Java code, so the Java tests compare codes,
packed bytes, constants and dequantised values exactly. Choices where the spec leaves room:
  * scaling: u = clamp(w * (1 / max(absmax, 1e-38)), -1, 1). bitsandbytes' kernels multiply by the reciprocal;
    the spec writes w / absmax. The two differ by at most 1 ulp of u; this script counts how many codes would
    change (reported as "division_vs_reciprocal_code_changes", expected 0 for these vectors).
  * nearest code: bucketize on float32 midpoints (c[i] + c[i+1]) * 0.5 with right=False, so a value exactly
    on a midpoint takes the LOWER index (spec §13.2 step 4). The same rule is used for the 8-bit dynamic map.
  * double quantisation offset: mean of the fp32 absmax accumulated in float64, rounded once to fp32 (torch's
    fp32 reduction order is not reproducible across machines).
  * int8 row-wise: q = round_half_even(w * (127 / rowmax)), deq = (q * rowmax) * 7.874015718698502e-3 (fp32),
    a zero row stores rowmax 0 and codes 0.
  * the dynamic map comes from torch.linspace in float32 as the spec says; torch's CPU linspace rounds
    differently from a scalar formula in a few last bits, so Java carries the table generated here.
"""
import base64
import json
import os
import sys
import tempfile

import numpy as np
import torch

f32 = np.float32
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                       "lora", "src", "test", "resources", "fixtures", "quant")

# spec §13.1, hard-coded table (recomputing from norm.ppf differs in the last bits)
NF4 = np.array([
    -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
    -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
    0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
    0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0], dtype=f32)


def dynamic_map_signed8():
    """create_dynamic_map(signed=True, max_exponent_bits=7, total_bits=8), spec §13.3."""
    data = []
    for i in range(7):
        boundaries = torch.linspace(0.1, 1, 2 ** i + 1, dtype=torch.float32)
        means = (boundaries[:-1] + boundaries[1:]) / 2.0
        data += ((10 ** (i - 6)) * means).tolist()
        data += (-(10 ** (i - 6)) * means).tolist()
    data += [0.0, 1.0]
    assert len(data) == 256
    return np.array(sorted(data), dtype=f32)


DYN8 = dynamic_map_signed8()


def midpoints(code):
    return ((code[:-1] + code[1:]) * f32(0.5)).astype(f32)


def nearest(u, code):
    # searchsorted(side="left") == torch.bucketize(right=False): ties go to the lower index
    return np.searchsorted(midpoints(code), u, side="left").astype(np.int64)


def argmin_nearest(u, code):
    # what bitsandbytes' torch default backend does instead of bucketize: argmin |u - code| (first index wins)
    return np.argmin(np.abs(u[:, None] - code[None, :]), axis=1).astype(np.int64)


def blockwise_quantize(x, code, blocksize, divide=False, rule=nearest):
    x = np.asarray(x, dtype=f32).reshape(-1)
    n = x.size
    nblocks = (n + blocksize - 1) // blocksize
    absmax = np.zeros(nblocks, dtype=f32)
    codes = np.zeros(n, dtype=np.int64)
    for b in range(nblocks):
        blk = x[b * blocksize:(b + 1) * blocksize]
        m = f32(np.max(np.abs(blk)))
        absmax[b] = m
        safe = max(m, f32(1e-38))
        if divide:
            u = np.clip(blk / safe, f32(-1), f32(1)).astype(f32)
        else:
            u = np.clip(blk * (f32(1) / safe), f32(-1), f32(1)).astype(f32)
        codes[b * blocksize:(b + 1) * blocksize] = rule(u, code)
    return codes, absmax


def blockwise_dequantize(codes, absmax, code, blocksize):
    out = np.empty(codes.size, dtype=f32)
    for i in range(codes.size):
        out[i] = code[codes[i]] * absmax[i // blocksize]
    return out


def pack_nibbles(codes):
    c = list(codes) + ([0] if len(codes) % 2 else [])
    return bytes((c[2 * i] << 4) | c[2 * i + 1] for i in range(len(c) // 2))


def double_quantize(absmax, blocksize2=256):
    offset = f32(np.mean(absmax.astype(np.float64)))
    centred = (absmax - offset).astype(f32)
    q8, absmax2 = blockwise_quantize(centred, DYN8, blocksize2)
    restored = (blockwise_dequantize(q8, absmax2, DYN8, blocksize2) + offset).astype(f32)
    return offset, q8, absmax2, restored


def int8_rowwise(w):
    w = np.asarray(w, dtype=f32)
    rowmax = np.max(np.abs(w), axis=1).astype(f32)
    q = np.zeros(w.shape, dtype=np.int64)
    for r in range(w.shape[0]):
        if rowmax[r] > 0:
            scale = f32(127) / rowmax[r]
            q[r] = np.rint((w[r] * scale).astype(f32)).astype(np.int64)
    deq = ((q.astype(f32) * rowmax[:, None]).astype(f32) * f32(7.874015718698502e-3)).astype(f32)
    return q, rowmax, deq


def b64f(a):
    return base64.b64encode(np.asarray(a, dtype="<f4").tobytes()).decode("ascii")


def floats(a):
    return [float(v) for v in np.asarray(a, dtype=f32)]


def nf4_case(name, w, shape, blocksize=64, dq=False, compact=False):
    w = np.asarray(w, dtype=f32).reshape(-1)
    codes, absmax = blockwise_quantize(w, NF4, blocksize)
    div_codes, _ = blockwise_quantize(w, NF4, blocksize, divide=True)
    argmin_codes, _ = blockwise_quantize(w, NF4, blocksize, rule=argmin_nearest)
    packed = pack_nibbles(codes)
    case = {"name": name, "shape": list(shape), "blocksize": blocksize,
            "division_vs_reciprocal_code_changes": int(np.sum(div_codes != codes)),
            "argmin_vs_bucketize_code_changes": int(np.sum(argmin_codes != codes)),
            "packed_hex": packed.hex()}
    used_absmax = absmax
    if dq:
        offset, q8, absmax2, restored = double_quantize(absmax)
        case["dq"] = {"nested_blocksize": 256, "offset": float(offset), "qabsmax": [int(v) for v in q8],
                      "absmax2": floats(absmax2), "absmax_restored_b64": b64f(restored),
                      "max_abs_error": float(np.max(np.abs(restored - absmax)))}
        used_absmax = restored
    deq = blockwise_dequantize(codes, used_absmax, NF4, blocksize)
    if compact:
        case["input_b64"] = b64f(w)
        case["absmax_b64"] = b64f(absmax)
        case["dequantized_b64"] = b64f(deq)
    else:
        case["input"] = floats(w)
        case["codes"] = [int(v) for v in codes]
        case["absmax"] = floats(absmax)
        case["dequantized"] = floats(deq)
    return case


def tie_vector():
    """One block of 64 with absmax exactly 1: every code, every midpoint (-> lower), midpoint + 1 ulp (-> upper)."""
    mids = midpoints(NF4)
    v = list(NF4) + list(mids) + [np.nextafter(m, f32(2)) for m in mids]
    v += [f32(1e-30), f32(-1e-30), f32(0.5), f32(-0.5)]
    v += [f32(k / 16.0 - 0.4) for k in range(64 - len(v))]
    assert len(v) == 64 and max(abs(x) for x in v) == 1.0
    return np.array(v, dtype=f32)


def java_float(v):
    """Shortest decimal that round-trips to the same float32, as a Java literal."""
    text = np.format_float_positional(v, unique=True, trim="-") if abs(v) >= 1e-4 or v == 0 \
        else np.format_float_scientific(v, unique=True, trim="-")
    return text + "f"


def write_json(name, obj):
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, name)
    fd, tmp = tempfile.mkstemp(dir=OUT_DIR, suffix=".tmp")
    with os.fdopen(fd, "w") as fh:
        json.dump(obj, fh, indent=1)
        fh.write("\n")
    os.replace(tmp, path)
    print("wrote", os.path.relpath(path), os.path.getsize(path), "bytes")


def main():
    if "--java-table" in sys.argv:
        for i in range(0, 256, 8):
            print("        " + ", ".join(java_float(v) for v in DYN8[i:i + 8]) + ",")
        return
    rng = np.random.default_rng(20261123)
    cases = [
        nf4_case("ties_one_block", tie_vector(), [64]),
        nf4_case("normal_odd_131", rng.standard_normal(131).astype(f32) * f32(0.02), [131]),
        nf4_case("zero_block_then_values", np.concatenate([np.zeros(64, f32),
                                                           rng.standard_normal(64).astype(f32)]), [2, 64]),
        nf4_case("uniform_blocksize_32", rng.uniform(-3, 3, 96).astype(f32), [3, 32], blocksize=32),
    ]
    write_json("nf4_cases.json", {"code": floats(NF4), "midpoints": floats(midpoints(NF4)), "cases": cases})

    w = (rng.standard_normal((96, 208)) * 0.05).astype(f32)
    w[7, :64] *= 40  # one block with a large absmax, so the dq offset/scale are exercised
    write_json("nf4_dq_96x208.json", nf4_case("dq_96x208", w, [96, 208], dq=True, compact=True))

    write_json("dynamic_map.json", {"signed8": floats(DYN8), "midpoints": floats(midpoints(DYN8))})

    wi = (rng.standard_normal((6, 10)) * 0.1).astype(f32)
    wi[2] = 0.0
    wi[4] = np.array([127, 0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.49, 63.5, -127], dtype=f32)
    q, rowmax, deq = int8_rowwise(wi)
    write_json("int8_rowwise.json", {"shape": [6, 10], "input": floats(wi.reshape(-1)),
                                     "codes": [int(v) for v in q.reshape(-1)], "rowmax": floats(rowmax),
                                     "dequantized": floats(deq.reshape(-1))})


if __name__ == "__main__":
    main()
