"""Conformance of the LoRA Lab kernel with jupyter_kernel_test 0.4.5 (Debian python3-jupyter-kernel-test),
plus end-to-end checks over real ZMQ: stdin, interrupt, display updates, survival after errors.

Run with /usr/bin/python3 and JUPYTER_PATH pointing at an installed `loralab` kernelspec
(`./loralab test` does both)."""
import queue
import time
import unittest

import jupyter_kernel_test
from jupyter_client.blocking.client import BlockingKernelClient  # noqa: F401  (documents the client in use)

TIMEOUT = 60


class LoraLabKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "loralab"
    language_name = "Java"
    file_extension = ".jshell"

    code_hello_world = 'System.out.println("hello, world");'
    code_stderr = 'System.err.println("to stderr");'
    code_generate_error = 'throw new IllegalStateException("deliberate");'

    code_execute_result = [
        {"code": "1 + 1", "result": "2"},
        {"code": "int x = 40;\nx + 2", "result": "42"},
        {"code": '"a" + "b"', "result": "ab"},
    ]
    code_display_data = [
        {"code": 'display("<b>bold</b>", "text/html");', "mime": "text/html"},
        {"code": "display(new java.awt.image.BufferedImage(2, 2, java.awt.image.BufferedImage.TYPE_INT_RGB));",
         "mime": "image/png"},
    ]
    completion_samples = [
        {"text": "String s7 = \"x\"; s7.toUpp", "matches": {"toUpperCase("}},
        {"text": "%mavenR", "matches": {"%mavenRepo"}},
    ]
    complete_code_samples = ["1 + 1", "int a = 1;", "class C {}", "%maven a:b:1"]
    incomplete_code_samples = ["for (int i = 0; i < 3; i++) {", "class D {", "int f(int x) {"]
    code_inspect_sample = "Math.max"

    code_history_pattern = "1 + *"
    supported_history_operations = ("tail", "range", "search")

    # ------------------------------------------------------------ beyond jupyter_kernel_test

    def run_cell(self, code, allow_stdin=False, timeout=TIMEOUT):
        """Executes code; returns (reply, iopub outputs)."""
        self.flush_channels()
        msg_id = self.kc.execute(code, allow_stdin=allow_stdin)
        reply = self.kc.get_shell_msg(timeout=timeout)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = self.kc.get_shell_msg(timeout=timeout)
        outputs = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=timeout)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
            outputs.append(msg)
        return reply, outputs

    def test_loralab_kernel_info_has_status_ok(self):
        self.kc.kernel_info()
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertEqual(reply["content"]["language_info"]["name"], "Java")

    def test_loralab_stdin_round_trip(self):
        self.flush_channels()
        msg_id = self.kc.execute('new java.util.Scanner(System.in).nextLine().toUpperCase()', allow_stdin=True)
        request = self.kc.get_stdin_msg(timeout=TIMEOUT)
        self.assertEqual(request["msg_type"], "input_request")
        self.kc.input("typed text")
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(reply["content"]["status"], "ok")
        results = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=TIMEOUT)
            if msg["msg_type"] == "execute_result":
                results.append(msg["content"]["data"]["text/plain"])
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle" \
                    and msg["parent_header"].get("msg_id") == msg_id:
                break
        self.assertEqual(results, ["TYPED TEXT"])

    def test_loralab_stdin_without_frontend_is_eof(self):
        reply, outputs = self.run_cell("System.in.read()", allow_stdin=False)
        self.assertEqual(reply["content"]["status"], "ok")
        results = [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"]
        self.assertEqual(results, ["-1"])

    def interrupt_within_one_second(self, code):
        self.flush_channels()
        msg_id = self.kc.execute(code)
        time.sleep(1.5)  # let it compile and start
        start = time.monotonic()
        self.km.interrupt_kernel()
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        elapsed = time.monotonic() - start
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "EvaluationInterruptedException")
        self.assertLess(elapsed, 1.0, f"interrupt took {elapsed:.2f} s")
        after, outputs = self.run_cell("1 + 2")
        self.assertEqual(after["content"]["status"], "ok")
        self.assertIn("3", [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"])

    def test_loralab_interrupt_endless_loop(self):
        self.interrupt_within_one_second("long n = 0;\nwhile (true) { n++; }")

    def test_loralab_interrupt_sleep(self):
        self.interrupt_within_one_second("Thread.sleep(600_000);")

    def test_loralab_update_display(self):
        reply, outputs = self.run_cell(
            'String id = display("<i>first</i>", "text/html");\nupdateDisplay(id, "<i>second</i>", "text/html");')
        self.assertEqual(reply["content"]["status"], "ok")
        kinds = [m["msg_type"] for m in outputs]
        self.assertIn("display_data", kinds)
        self.assertIn("update_display_data", kinds)
        update = next(m for m in outputs if m["msg_type"] == "update_display_data")
        self.assertEqual(update["content"]["data"]["text/html"], "<i>second</i>")
        first = next(m for m in outputs if m["msg_type"] == "display_data")
        self.assertEqual(first["content"]["transient"]["display_id"], update["content"]["transient"]["display_id"])

    def test_loralab_errors_never_kill_the_kernel(self):
        for code, ename in [
            ("int down(int n) { return down(n + 1); }\ndown(0)", "StackOverflowError"),
            ('throw new OutOfMemoryError("pretend");', "OutOfMemoryError"),
            ("%nosuchmagic", "UnknownMagicException"),
            ("%maven org.loralab.nosuch:nothing:1.0 --offline", "MagicException"),
            ('String s = 42;', "CompilationException"),
        ]:
            with self.subTest(code=code):
                reply, outputs = self.run_cell(code)
                self.assertEqual(reply["content"]["status"], "error")
                self.assertEqual(reply["content"]["ename"], ename)
                errors = [m for m in outputs if m["msg_type"] == "error"]
                self.assertEqual(len(errors), 1)
        reply, _ = self.run_cell("1 + 1")
        self.assertEqual(reply["content"]["status"], "ok")

    def test_loralab_compile_error_shows_source_line(self):
        reply, outputs = self.run_cell("int ok = 1;\nString s = 42;")
        traceback = "\n".join(reply["content"]["traceback"])
        self.assertIn("String s = 42;", traceback)
        self.assertIn("incompatible types", traceback)


if __name__ == "__main__":
    unittest.main()
