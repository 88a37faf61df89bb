package org.loralab.lora.train;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** LoRA-FA, as PEFT's tests/test_lorafa.py asserts it (variants spec §8). */
class LoraFaOptimizerTest {

    @Test
    void freezesEveryAAndPairsEachBWithItsScaling() {
        try (Model model = Fixtures.loraModel("fa-pairs", 2.5, 0f)) {
            LoraFaOptimizer opt = LoraFaOptimizer.create(Fixtures.withScaling(model, 2.5), 1e-3, 0);
            TinyLoraLinear b = (TinyLoraLinear) model.getBlock();
            assertFalse(b.loraA.requiresGradient());
            assertTrue(b.loraB.requiresGradient());
            List<LoraFaOptimizer.FaPair> pairs = opt.pairs();
            assertEquals(1, pairs.size());
            assertSame(b.loraA, pairs.get(0).a());
            assertEquals(2.5, pairs.get(0).scaling(), 1e-9);
        }
    }

    @Test
    void bMovesFromZeroWhileAStaysBitIdentical() {
        try (NDManager m = NDManager.newBaseManager(); Model model = Fixtures.loraModel("fa-step", 2.0, 0f)) {
            TinyLoraLinear b = (TinyLoraLinear) model.getBlock();
            float[] a0 = b.loraA.getArray().toFloatArray();
            TrainingReport r = Fit.fit(model.getBlock(), m, Fixtures.blobs(m, 32, 1), null,
                    FitOptions.defaults().steps(3).batchSize(16).loraFa(), Fixtures.withScaling(model, 2.0), null);
            assertArrayEquals(a0, b.loraA.getArray().toFloatArray(), 0f);
            assertTrue(OptimizerGroupsTest.maxAbsDiff(new float[6], b.loraB.getArray().toFloatArray()) > 0);
            assertEquals(6, r.trainableParams()); // r * out
        }
    }

    @Test
    void decoupledWeightDecayScalesTheUpdatedB() {
        float[] noWd = oneStep(0.0);
        float[] wd = oneStep(0.1);
        double lr = 1e-2;
        for (int i = 0; i < wd.length; i++) {
            double expected = noWd[i] * (1 - lr * 0.1);
            assertEquals(expected, wd[i], 1e-6 + 1e-5 * Math.abs(expected), "B[" + i + "]");
        }
    }

    private static float[] oneStep(double weightDecay) {
        Engine.getInstance().setRandomSeed(5);
        try (NDManager m = NDManager.newBaseManager(); Model model = Fixtures.loraModel("fa-wd", 2.0, 0.3f)) {
            Fit.fit(model.getBlock(), m, Fixtures.blobs(m, 16, 1), null, FitOptions.defaults().steps(1).batchSize(16)
                    .lr(1e-2).weightDecay(weightDecay).loraFa(), Fixtures.withScaling(model, 2.0), null);
            return ((TinyLoraLinear) model.getBlock()).loraB.getArray().toFloatArray();
        }
    }

    @Test
    void preconditionerIsTheInverseOfAAt() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(new float[] {1, 2, 0, 1, 0, 1, 3, -1}, new Shape(2, 4));
            float[] p = LoraFaOptimizer.precondition(a);
            NDArray prod = m.create(p, new Shape(2, 2)).matMul(a.matMul(a.transpose()));
            assertArrayEquals(new float[] {1, 0, 0, 1}, prod.toFloatArray(), 1e-5f);
        }
    }

    @Test
    void plainFitOfALoraBlockWithoutScalingsIsAClearError() {
        try (NDManager m = NDManager.newBaseManager(); Model model = Fixtures.loraModel("fa-noscale", 2.0, 0f)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fit.fit(model,
                    Fixtures.blobs(m, 8, 1), null, FitOptions.defaults().loraFa()));
            assertTrue(e.getMessage().contains("scaling"), e.getMessage());
        }
    }

    @Test
    void needsLoraParameters() {
        try (Model model = Fixtures.mlp("fa-none")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LoraFaOptimizer.create(TrainableParams.of(model.getBlock()), 1e-3, 0));
            assertTrue(e.getMessage().contains("inject an adapter"));
        }
    }
}
