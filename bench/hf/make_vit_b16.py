#!/usr/bin/python3
"""Writes a random ViT-B/16-shaped ViTForImageClassification checkpoint (1000 labels, 86.6M parameters, F32,
about 346 MB) into the directory given, with the tiny-fixture generator's layout code.

    /usr/bin/python3 bench/hf/make_vit_b16.py OUT_DIR
"""
import importlib.util
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "make_vit_fixture", os.path.join(HERE, "..", "..", "tools", "hf-fixtures", "make_vit_fixture.py"))
fixture = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fixture)


def main(out):
    labels = ["class_%d" % i for i in range(1000)]
    cfg = fixture.vit_config("ViTForImageClassification", 768, 12, 12, 3072, "gelu", True, 1e-12, "float32", labels)
    cfg["image_size"], cfg["patch_size"], cfg["encoder_stride"] = 224, 16, 16
    sd = fixture.random_state_dict(cfg, "vit.", classifier=True, pooler=False, gen=torch.Generator().manual_seed(0))
    fixture.save_model(out, cfg, sd, "F32")
    print("wrote %s: %d parameters" % (out, sum(t.numel() for t in sd.values())))


if __name__ == "__main__":
    main(sys.argv[1])
