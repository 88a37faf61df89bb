#!/usr/bin/python3
"""Checks an EXECUTED notebooks/01-quickstart.ipynb (run by `./loralab test` and `./loralab run` after executing it, e.g. build/notebooks/01-quickstart.ipynb from
`./loralab run notebooks/01-quickstart.ipynb`): no errors, a final progress display, a PNG chart, HTML tables.
Exit 1 with one line per problem."""
import json
import sys


def outputs(nb):
    for index, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") == "code":
            for out in cell.get("outputs", []):
                yield index, cell, out


def problems(path):
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    found = []
    if nb.get("metadata", {}).get("kernelspec", {}).get("name") != "loralab":
        found.append("kernelspec name is not 'loralab'")
    html = []
    png = 0
    for index, cell, out in outputs(nb):
        if out.get("output_type") == "error":
            found.append(f"cell {index}: {out.get('ename')}: {out.get('evalue')}")
        data = out.get("data", {})
        if "text/html" in data:
            text = data["text/html"]
            html.append("".join(text) if isinstance(text, list) else text)
        if "image/png" in data:
            png += 1
    progress = [h for h in html if "<progress" in h]
    if not progress:
        found.append("no progress display (an HTML <progress> bar)")
    elif not any("done: completed" in h for h in progress):
        found.append("the progress display does not show its final state ('done: completed')")
    if png < 3:
        found.append(f"expected PNG charts (live loss chart, spectrum, sweep), found {png}")
    if not any("<td>lin0</td>" in h for h in html):
        found.append("no adapted-model HTML table (a row for lin0)")
    if not any("final_accuracy" in h for h in html):
        found.append("no sweep table")
    if not any("data:image/png;base64," in h for h in html):
        found.append("no training report (table with an inline chart)")
    return found


if __name__ == "__main__":
    all_problems = [f"{p}: {line}" for p in sys.argv[1:] for line in problems(p)]
    for line in all_problems:
        print(line, file=sys.stderr)
    sys.exit(1 if all_problems or len(sys.argv) < 2 else 0)
