#!/usr/bin/python3
"""Fails (exit 1) when an executed notebook holds an error output outside cells tagged `raises-exception`."""
import json
import sys


def errors(path):
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    found = []
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        if "raises-exception" in cell.get("metadata", {}).get("tags", []):
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append(f"{path}: cell {index}: {out.get('ename')}: {out.get('evalue')}")
    return found


if __name__ == "__main__":
    problems = [line for p in sys.argv[1:] for line in errors(p)]
    for line in problems:
        print(line, file=sys.stderr)
    sys.exit(1 if problems else 0)
