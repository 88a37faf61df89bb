"""Shared by the lab checks (conformance/notebook-checks/<lab>.py): reads the `correct: ...` / `not yet: ...` lines
that a lab's check cells print and compares them with what the notebook must report. Checks never throw inside the
notebook, so these scripts are what makes `./loralab test` fail on a wrong solution."""
import json
import re
import sys

# the exercise names each lab's check cells print, the same in the student and the solutions notebook
EXERCISES = {
    "01-lora-forward-by-hand": ["exercise 1, delta W", "exercise 2, adapter output", "exercise 3, trainable parameters"],
    "02-smallest-rank": ["exercise 1, smallest rank", "exercise 2, parameter fraction"],
}

VERDICT = re.compile(r"^(correct|not yet): (exercise \d+, [^(]*?)(?: \(.*\))?\s*$")


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def stream_lines(nb):
    """(cell index, line) for every stdout line of every code cell."""
    for index, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stdout":
                text = out.get("text", "")
                for line in ("".join(text) if isinstance(text, list) else text).splitlines():
                    yield index, line


def verdicts(nb):
    """{exercise name: [verdicts in order]} from the check cells' lines."""
    found = {}
    for _, line in stream_lines(nb):
        m = VERDICT.match(line)
        if m:
            found.setdefault(m.group(2).strip(), []).append(m.group(1))
    return found


def problems(nb, exercises, expected):
    """Lines describing how the notebook's verdicts differ from `expected` ("correct" or "not yet") for each of
    `exercises`, plus any error output."""
    found = []
    if nb.get("metadata", {}).get("kernelspec", {}).get("name") != "loralab":
        found.append("kernelspec name is not 'loralab'")
    for index, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append(f"cell {index}: {out.get('ename')}: {out.get('evalue')}")
    got = verdicts(nb)
    for name in exercises:
        if name not in got:
            found.append(f"'{name}': its check cell printed no verdict")
        elif got[name] != [expected]:
            found.append(f"'{name}': expected '{expected}', the check printed {got[name]}")
    for name in got:
        if name not in exercises:
            found.append(f"'{name}': a check this script does not know (add it to the list)")
    return found


def number_after(nb, prefix):
    """The first number printed on a stdout line starting with `prefix`, or None."""
    for _, line in stream_lines(nb):
        if line.startswith(prefix):
            m = re.search(r"-?\d+(?:[.,]\d+)*(?:\.\d+)?", line[len(prefix):])
            if m:
                return float(m.group(0).replace(",", ""))
    return None


def main(check):
    """Runs check(notebook) -> list of problem lines on every path in argv; exit 1 with one line per problem."""
    lines = [f"{p}: {line}" for p in sys.argv[1:] for line in check(load(p))]
    for line in lines:
        print(line, file=sys.stderr)
    sys.exit(1 if lines or len(sys.argv) < 2 else 0)


def full_fine_tuning_problems(nb):
    """Lab 2: the reference run must give a number; a NaN (training stopped on a non-finite loss) would make every
    answer -1 and the checks pass vacuously."""
    for _, line in stream_lines(nb):
        if line.startswith("full fine-tuning stopped early"):
            return [line]
    accuracy = number_after(nb, "full fine-tuning: accuracy")
    if accuracy is None or not 0 <= accuracy <= 1:
        return ["full fine-tuning printed no accuracy in [0, 1] (NaN: it stopped early?)"]
    return []
