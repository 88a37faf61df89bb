#!/usr/bin/python3
"""Measures the LoRA Lab kernel over jupyter_client (real ZMQ, as a notebook frontend talks to it):
  * ready: seconds from starting the kernel process to its kernel_info reply;
  * round trip: median milliseconds of `1+1` (execute_request -> reply and idle), 100 runs after 5 warm-up runs.
Needs an installed `loralab` kernelspec (JUPYTER_PATH=... or ./loralab install-kernel). Prints the numbers."""
import argparse
import statistics
import time

from jupyter_client.manager import KernelManager


def wait_idle(kc, msg_id, timeout):
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status" \
                and msg["content"]["execution_state"] == "idle":
            return


def round_trip(kc, code, timeout=60):
    start = time.perf_counter()
    msg_id = kc.execute(code)
    while True:
        reply = kc.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    wait_idle(kc, msg_id, timeout)
    elapsed = time.perf_counter() - start
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"{code!r} failed: {reply['content']}")
    return elapsed


def measure_ready(kernel_name):
    km = KernelManager(kernel_name=kernel_name)
    start = time.perf_counter()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.kernel_info()
    while True:
        reply = kc.get_shell_msg(timeout=60)
        if reply["msg_type"] == "kernel_info_reply":
            break
    return time.perf_counter() - start, km, kc


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kernel", default="loralab")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--starts", type=int, default=3, help="kernel starts to time (median reported)")
    args = parser.parse_args()

    ready = []
    km = kc = None
    for i in range(args.starts):
        seconds, km, kc = measure_ready(args.kernel)
        ready.append(seconds)
        if i < args.starts - 1:
            kc.stop_channels()
            km.shutdown_kernel(now=False)
    try:
        first_cell = round_trip(kc, "1+1")
        for _ in range(5):
            round_trip(kc, "1+1")
        times = [round_trip(kc, "1+1") for _ in range(args.runs)]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)

    median_ms = statistics.median(times) * 1000
    print(f"kernel ready (kernel_info reply after start): median {statistics.median(ready):.2f} s "
          f"over {args.starts} starts (all: {', '.join(f'{r:.2f}' for r in ready)}); target <= 3 s")
    print(f"first cell after start: {first_cell * 1000:.0f} ms")
    print(f"1+1 round trip: median {median_ms:.1f} ms over {args.runs} runs "
          f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}); target <= 30 ms")


if __name__ == "__main__":
    main()
