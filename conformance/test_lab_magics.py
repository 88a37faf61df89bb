"""LoRA Lab's magics in a real kernel over jupyter_client: a magic as the very first cell (on the kernel's own thread,
before any cell started DJL's engine) leaves the engine usable, and a user's mistake in a magic is an error reply
whose traceback is one line.

Run with /usr/bin/python3 and JUPYTER_PATH pointing at an installed `loralab` kernelspec (`./loralab test` does both)."""
import unittest

from jupyter_client.manager import start_new_kernel

TIMEOUT = 180


class LabMagicsInAKernel(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name="loralab")

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel(now=True)

    def run_cell(self, code):
        msg_id = self.kc.execute(code)
        texts, errors = [], []
        while True:
            msg = self.kc.get_iopub_msg(timeout=TIMEOUT)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                texts.append(content["text"])
            elif kind in ("execute_result", "display_data"):
                texts.append(content["data"].get("text/html", content["data"].get("text/plain", "")))
            elif kind == "error":
                errors.append(content)
            elif kind == "status" and content["execution_state"] == "idle":
                break
        return "".join(texts), errors

    def test_1_a_magic_first_leaves_the_engine_usable(self):
        out, errors = self.run_cell("%lab")
        self.assertEqual([], errors)
        self.assertIn("LoRA Lab", out)
        out, errors = self.run_cell("%device")
        self.assertEqual([], errors)
        self.assertIn("engine PyTorch", out)
        out, errors = self.run_cell("try (var m = ai.djl.ndarray.NDManager.newBaseManager()) { m.ones(new ai.djl.ndarray.types.Shape(2)).sum().getFloat(); }\n"
                                    "ai.djl.engine.Engine.getInstance().getEngineName()")
        self.assertEqual([], errors)
        self.assertIn("PyTorch", out)

    def test_2_a_mistake_in_a_magic_is_one_line(self):
        for cell in ("%lora zzz", "%lora use", "%lora save", "%device zzz", "%%train\n:", "%lora inject alpha=1e400"):
            out, errors = self.run_cell(cell)
            self.assertEqual(1, len(errors), cell)
            self.assertLessEqual(len(errors[0]["traceback"]), 1, f"{cell}: {errors[0]['traceback']}")


if __name__ == "__main__":
    unittest.main()
