"""Shared helpers for the kernel robustness and fuzz tests: start a `loralab` kernel (optionally with another heap),
run a cell and collect its reply and outputs, interrupt, check liveness. Run with /usr/bin/python3 and JUPYTER_PATH
pointing at an installed `loralab` kernelspec (`./loralab test` does both)."""
import json
import os
import queue
import shutil
import tempfile
import time

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import start_new_kernel

KERNEL = "loralab"
START_TIMEOUT = 120


def start(heap=None, extra_env=None):
    """(km, kc) of a fresh kernel whose start-up is over (a first cell answered); heap like '256m' runs it with
    -Xmx<heap> from a copy of the kernelspec."""
    env = dict(os.environ)
    env.pop("JAVA_TOOL_OPTIONS", None)
    env.update(extra_env or {})
    name = KERNEL
    if heap is not None:
        spec_dir = small_heap_spec(heap)
        env["JUPYTER_PATH"] = spec_dir + os.pathsep + env.get("JUPYTER_PATH", "")
        os.environ["JUPYTER_PATH"] = env["JUPYTER_PATH"]
        name = KERNEL + "-heap"
    km, kc = start_new_kernel(kernel_name=name, env=env, startup_timeout=START_TIMEOUT)
    run(kc, "1 + 1", timeout=START_TIMEOUT)
    return km, kc


def small_heap_spec(heap):
    """A temporary copy of the loralab kernelspec whose java runs with -Xmx<heap>; returns its JUPYTER_PATH entry."""
    spec = KernelSpecManager().get_kernel_spec(KERNEL)
    root = tempfile.mkdtemp(prefix="loralab-heap-")
    target = os.path.join(root, "kernels", KERNEL + "-heap")
    shutil.copytree(spec.resource_dir, target)
    with open(os.path.join(target, "kernel.json")) as f:
        data = json.load(f)
    argv = [a for a in data["argv"] if not (a.startswith("-Xmx") or a.startswith("-XX:MaxRAMPercentage"))]
    argv.insert(1, "-Xmx" + heap)
    data["argv"] = argv
    with open(os.path.join(target, "kernel.json"), "w") as f:
        json.dump(data, f)
    return root


def drain(kc):
    """Drops messages already received on shell and iopub."""
    for get in (kc.get_shell_msg, kc.get_iopub_msg):
        while True:
            try:
                get(timeout=0.01)
            except queue.Empty:
                break


def reply_to(kc, msg_id, timeout):
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"no reply to {msg_id} within {timeout} s")
        reply = kc.get_shell_msg(timeout=left)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply


def outputs_of(kc, msg_id, timeout):
    """iopub messages of msg_id up to its idle status."""
    out = []
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"no idle status for {msg_id} within {timeout} s")
        msg = kc.get_iopub_msg(timeout=left)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return out
        out.append(msg)


def run(kc, code, timeout=60, allow_stdin=False):
    """(reply content, iopub outputs) of one cell."""
    msg_id = kc.execute(code, allow_stdin=allow_stdin)
    reply = reply_to(kc, msg_id, timeout)
    return reply["content"], outputs_of(kc, msg_id, timeout)


def result_text(outputs):
    return [m["content"]["data"].get("text/plain") for m in outputs if m["msg_type"] == "execute_result"]


def stream_text(outputs, name=None):
    return "".join(m["content"]["text"] for m in outputs
                   if m["msg_type"] == "stream" and (name is None or m["content"]["name"] == name))


def alive(km, kc, timeout=30):
    """The process runs and answers 1 + 1 with 2."""
    if not km.is_alive():
        return False
    try:
        content, outputs = run(kc, "1 + 1", timeout=timeout)
    except (TimeoutError, queue.Empty):
        return False
    return content["status"] == "ok" and result_text(outputs) == ["2"]


def stop(km, kc):
    try:
        kc.stop_channels()
    finally:
        km.shutdown_kernel(now=True)
