#!/usr/bin/python3
"""Do the notebooks fit mybinder's 2 GB? Runs each notebook once the way a Binder session would, in FULL mode
(LORALAB_FAST unset), under binder/start (its thread and malloc settings) with the Binder heap (LORALAB_HEAP=1g, as
binder/postBuild installs the kernel), and samples the memory of the processes it starts.

Per notebook it prints: the kernel JVM's peak resident set (VmHWM from /proc/<pid>/status, read until the process
exits), the largest sampled sum of the resident sets of every process of the run (nbconvert + kernel, what the
session's pod would hold besides the Jupyter server), the wall time and whether the notebook passed its checks.

    /usr/bin/python3 bench/binder/peak_rss.py [NOTEBOOK...]       (default: every notebook, labs included)

Results are also appended as JSON lines to build/bench/peak_rss.jsonl. Not part of ./loralab test: a full run of
every notebook takes many minutes. Needs Linux /proc; psutil is not used.
"""
import glob
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIMIT_MIB = 2048
POLL_S = 0.1


def status_kib(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def parent_of(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def descendants(root):
    """The pids under root (root included)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            parents[int(entry)] = parent_of(int(entry))
    found = {root}
    changed = True
    while changed:
        changed = False
        for pid, ppid in parents.items():
            if ppid in found and pid not in found:
                found.add(pid)
                changed = True
    return found


def is_kernel(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            args = f.read().split(b"\0")
    except OSError:
        return False
    return any(a.endswith(b"/kernel.jar") for a in args) and any(a.endswith(b"java") for a in args)


def measure(notebook):
    env = dict(os.environ)
    env.pop("LORALAB_FAST", None)
    env["LORALAB_HEAP"] = "1g"
    started = time.monotonic()
    run = subprocess.Popen([os.path.join(ROOT, "binder", "start"), os.path.join(ROOT, "loralab"), "run", notebook],
                           cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    kernel_hwm = {}      # pid -> last VmHWM seen (KiB)
    tree_peak = 0
    while run.poll() is None:
        total = 0
        for pid in descendants(run.pid):
            rss = status_kib(pid, "VmRSS")
            total += rss
            if is_kernel(pid):
                kernel_hwm[pid] = max(kernel_hwm.get(pid, 0), status_kib(pid, "VmHWM"))
        tree_peak = max(tree_peak, total)
        time.sleep(POLL_S)
    output = run.stdout.read().decode("utf-8", "replace")
    return {
        "notebook": os.path.relpath(notebook, ROOT),
        "ok": run.returncode == 0,
        "kernel_peak_mib": round(max(kernel_hwm.values(), default=0) / 1024),
        "kernels": len(kernel_hwm),
        "tree_peak_mib": round(tree_peak / 1024),
        "wall_s": round(time.monotonic() - started, 1),
        "tail": output.strip().splitlines()[-3:],
    }


def main(args):
    notebooks = [os.path.abspath(a) for a in args] or sorted(
        glob.glob(os.path.join(ROOT, "notebooks", "*.ipynb")) + glob.glob(os.path.join(ROOT, "notebooks", "labs", "*.ipynb")))
    os.makedirs(os.path.join(ROOT, "build", "bench"), exist_ok=True)
    log = os.path.join(ROOT, "build", "bench", "peak_rss.jsonl")
    print(f"{'notebook':50} {'kernel VmHWM':>12} {'all processes':>13} {'wall':>7}  result")
    failed = False
    for nb in notebooks:
        r = measure(nb)
        with open(log, "a") as f:
            f.write(json.dumps(dict(r, when=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))) + "\n")
        flag = "" if r["kernel_peak_mib"] < 0.9 * LIMIT_MIB else "  OVER 90% OF 2 GB"
        print(f"{r['notebook']:50} {r['kernel_peak_mib']:>8} MiB {r['tree_peak_mib']:>9} MiB {r['wall_s']:>6}s  "
              f"{'ok' if r['ok'] else 'FAILED'}{flag}", flush=True)
        if not r["ok"]:
            failed = True
            print("    " + "\n    ".join(r["tail"]), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
