#!/usr/bin/python3
"""Soak: training cells in one LoRA Lab kernel over jupyter_client, the kernel's RSS after each.

30 short `%%train` cells on the quickstart model, then one long `%%train` (10,000 steps by default), each reply
checked for status ok and no error output; RSS of the kernel process (VmRSS) printed after every cell as
`cell N: ok, S s, RSS M MiB`. Exits 1 on a kernel death, an error reply or a hang (per-cell timeout).

Run after `./loralab run` or `./loralab test` installed the kernelspec:
    JUPYTER_PATH=build/jupyter/share/jupyter /usr/bin/python3 bench/soak/soak.py [--cells 30] [--long-steps 10000]
Takes minutes (not part of ./loralab test)."""
import argparse
import sys
import time

from jupyter_client.manager import start_new_kernel

SETUP = """
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.loralab.ext.Lab;
import org.loralab.lora.models.Mlp;
Model base = Model.newInstance("soak");
Mlp mlp = Mlp.builder().addHidden(64).addHidden(64).setOutputs(16).build();
base.setBlock(mlp);
mlp.initialize(base.getNDManager(), DataType.FLOAT32, new Shape(1, 16));
Lab.use(base);
Lab.syntheticData(2048, 512, 16, 16, 7);
"""


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def run(kc, code, timeout):
    msg_id = kc.execute(code)
    errors = []
    deadline = time.time() + timeout
    while True:
        msg = kc.get_iopub_msg(timeout=max(1, deadline - time.time()))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "error":
            errors.append(msg["content"]["ename"] + ": " + msg["content"]["evalue"])
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    reply = kc.get_shell_msg(timeout=timeout)
    return reply["content"]["status"], errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cells", type=int, default=30)
    ap.add_argument("--steps", type=int, default=128)
    ap.add_argument("--long-steps", type=int, default=10000)
    ap.add_argument("--timeout", type=int, default=3600)
    args = ap.parse_args()
    km, kc = start_new_kernel(kernel_name="loralab")
    pid = km.provisioner.process.pid
    failed = False
    try:
        for code in (SETUP, "%lora inject targets=lin0,lin1,lin2 r=4 alpha=8"):
            status, errors = run(kc, code, args.timeout)
            if status != "ok" or errors:
                print(f"setup failed: {status} {errors}")
                return 1
        print(f"after setup: RSS {rss_mib(pid):.0f} MiB", flush=True)
        cells = [f"%%train\nsteps: {args.steps}\nbatch_size: 64\nlr: 5e-3"] * args.cells
        cells.append(f"%%train\nsteps: {args.long_steps}\nbatch_size: 64\noptimizer: adamw\nlr: 5e-3")
        for i, code in enumerate(cells, 1):
            t0 = time.time()
            status, errors = run(kc, code, args.timeout)
            ok = status == "ok" and not errors
            failed |= not ok
            print(f"cell {i}: {'ok' if ok else status + ' ' + str(errors)}, {time.time() - t0:.1f} s, "
                  f"RSS {rss_mib(pid):.0f} MiB", flush=True)
            if not km.is_alive():
                print("the kernel died")
                return 1
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
