"""Runs .jsh cells (or inline code) in one fresh LoRA Lab kernel and prints each cell's output.
Reproducer for the in-kernel nondeterminism of seeded training (see README.md here).
usage: JUPYTER_PATH=build/jupyter/share/jupyter /usr/bin/python3 tools/kernel-determinism/drive.py CELL...
(after './loralab install-kernel --prefix build/jupyter')."""
import os
import sys
import time

from jupyter_client.manager import start_new_kernel

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def main(cells):
    km, kc = start_new_kernel(kernel_name="loralab", cwd=os.path.join(ROOT, "notebooks"), env=dict(os.environ))
    try:
        for cell in cells:
            code = open(cell).read() if os.path.exists(cell) else cell
            started = time.time()
            msg_id = kc.execute(code)
            out = []
            while True:
                msg = kc.get_iopub_msg(timeout=900)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                kind, content = msg["msg_type"], msg["content"]
                if kind == "stream":
                    out.append(content["text"])
                elif kind in ("execute_result", "display_data"):
                    out.append(content["data"].get("text/plain", "<display>"))
                elif kind == "error":
                    out.append("ERROR " + content["ename"] + " " + content["evalue"])
                elif kind == "status" and content["execution_state"] == "idle":
                    break
            print(f"[{time.time() - started:.1f}s] " + "".join(out).strip()[-3000:], flush=True)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


if __name__ == "__main__":
    main(sys.argv[1:])
