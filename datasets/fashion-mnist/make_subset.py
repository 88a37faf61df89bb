#!/usr/bin/python3
"""Builds the committed class-balanced Fashion-MNIST subset from the full IDX files.

Usage: /usr/bin/python3 datasets/fashion-mnist/make_subset.py [SOURCE_DIR]
SOURCE_DIR defaults to /usr/share/datasets/fashion-mnist (Debian package dataset-fashion-mnist).

Takes, in file order, the first 200 training and the first 50 test examples of each of the 10 classes
(2,000 + 500 examples; relative order preserved), writes them as gzip IDX files next to this script with a
fixed gzip header (no name, mtime 0) so the output is byte-for-byte reproducible, and writes SHA256SUMS with
the SHA-256 of each DECOMPRESSED payload (the same convention the Java loader uses for the full files).
Standard library only.
"""
import gzip
import hashlib
import os
import struct
import sys

PER_CLASS = {"train": 200, "t10k": 50}
FULL_SHA256 = {  # decompressed payloads of the official files (spec notebooks.md §5.3)
    "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}


def read_payload(src, name):
    for candidate, opener in ((name + ".gz", gzip.open), (name, open)):
        path = os.path.join(src, candidate)
        if os.path.exists(path):
            with opener(path, "rb") as f:
                data = f.read()
            digest = hashlib.sha256(data).hexdigest()
            if digest != FULL_SHA256[name]:
                sys.exit(f"{path}: payload SHA-256 {digest} is not the official {FULL_SHA256[name]}")
            return data
    sys.exit(f"{name}(.gz) not found in {src}")


def write_gz(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
            gz.write(data)
    os.replace(tmp, path)


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
    out_dir = os.path.dirname(os.path.abspath(__file__))
    sums = []
    for split, per_class in PER_CLASS.items():
        images = read_payload(src, f"{split}-images-idx3-ubyte")
        labels = read_payload(src, f"{split}-labels-idx1-ubyte")
        magic, count, rows, cols = struct.unpack(">IIII", images[:16])
        assert magic == 2051 and struct.unpack(">II", labels[:8]) == (2049, count)
        size = rows * cols
        taken = {c: 0 for c in range(10)}
        keep = []
        for i in range(count):
            c = labels[8 + i]
            if taken[c] < per_class:
                taken[c] += 1
                keep.append(i)
        n = len(keep)
        assert n == 10 * per_class, taken
        img = struct.pack(">IIII", 2051, n, rows, cols) + b"".join(
            images[16 + i * size:16 + (i + 1) * size] for i in keep)
        lab = struct.pack(">II", 2049, n) + bytes(labels[8 + i] for i in keep)
        for name, payload in ((f"{split}-images-idx3-ubyte", img), (f"{split}-labels-idx1-ubyte", lab)):
            write_gz(os.path.join(out_dir, name + ".gz"), payload)
            sums.append(f"{hashlib.sha256(payload).hexdigest()}  {name}\n")
    with open(os.path.join(out_dir, "SHA256SUMS.tmp"), "w") as f:
        f.writelines(sums)
    os.replace(os.path.join(out_dir, "SHA256SUMS.tmp"), os.path.join(out_dir, "SHA256SUMS"))
    print("".join(sums), end="")


if __name__ == "__main__":
    main()
