"""The kernel runs PyTorch on one intra-op thread (kernel-ext's EngineThreads, set when the extension installs, before
any cell starts the engine), and a small seeded training run repeats bit for bit in one kernel.

Run with /usr/bin/python3 and JUPYTER_PATH pointing at an installed `loralab` kernelspec (`./loralab test` does both)."""
import os
import unittest

from jupyter_client.manager import start_new_kernel

TIMEOUT = 120

TRAIN = """
double[] seededLosses() {
    var m = ai.djl.ndarray.NDManager.newBaseManager();
    try (m) {
        var data = org.loralab.lora.train.SyntheticTasks.blobs(m, 256, 0, 16, 4, 2.0, 7).train();
        var block = new ai.djl.nn.SequentialBlock()
                .add(ai.djl.nn.core.Linear.builder().setUnits(32).build())
                .add(ai.djl.nn.Activation::relu)
                .add(ai.djl.nn.core.Linear.builder().setUnits(4).build());
        ai.djl.engine.Engine.getInstance().setRandomSeed(7);
        block.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new ai.djl.ndarray.types.Shape(32, 16));
        var report = org.loralab.lora.train.Fit.fit(block, m, data, null,
                org.loralab.lora.train.FitOptions.defaults().steps(24).batchSize(32).lr(1e-2).seed(7),
                org.loralab.lora.train.TrainableParams.of(block), org.loralab.lora.variant.TrainingHooks.NONE);
        return report.stepLosses();
    }
}
"""


class EngineThreadsTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        env = dict(os.environ)
        env.pop("JAVA_TOOL_OPTIONS", None)
        env.pop("LORALAB_TORCH_THREADS", None)
        cls.km, cls.kc = start_new_kernel(kernel_name="loralab", env=env)

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
            elif kind == "execute_result":
                texts.append(content["data"].get("text/plain", ""))
            elif kind == "error":
                errors.append(content["ename"] + ": " + content["evalue"])
            elif kind == "status" and content["execution_state"] == "idle":
                break
        self.assertEqual(errors, [], code)
        return "".join(texts).strip()

    def test_pytorch_runs_one_intra_op_thread(self):
        out = self.run_cell("try (var m = ai.djl.ndarray.NDManager.newBaseManager()) {}\n"
                            "ai.djl.pytorch.jni.JniUtils.getNumThreads()")
        self.assertEqual(out, "1")

    def test_seeded_training_repeats_bit_for_bit(self):
        self.run_cell(TRAIN)
        first = self.run_cell("java.util.Arrays.toString(seededLosses())")
        second = self.run_cell("java.util.Arrays.toString(seededLosses())")
        self.assertNotIn("NaN", first)
        self.assertEqual(first, second)


if __name__ == "__main__":
    unittest.main()
