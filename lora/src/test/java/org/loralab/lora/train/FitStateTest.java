package org.loralab.lora.train;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.loralab.lora.variant.TrainingHooks;

/** Continuing a fit with a FitState: same weights as one run, global step numbers, clear misuse errors. */
class FitStateTest {
    private static Model seededMlp(String name) {
        Engine.getInstance().setRandomSeed(11);
        return Fixtures.mlp(name);
    }

    private static TrainingReport fit(Model model, TensorData data, FitOptions o, FitState state) {
        return Fit.fit(model.getBlock(), model.getNDManager(), data, null, o, TrainableParams.of(model.getBlock()),
                TrainingHooks.NONE, state);
    }

    @Test
    void threeContinuedCallsEqualOneRunAcrossEpochBoundaries() {
        try (NDManager m = NDManager.newBaseManager(); Model split = seededMlp("split"); Model whole = seededMlp("whole")) {
            TensorData data = Fixtures.blobs(m, 50, 3); // batches of 8: 7 a epoch, the last one short
            FitOptions o = FitOptions.defaults().batchSize(8).seed(5).lr(0.02);
            assertArrayEquals(Fixtures.params(whole), Fixtures.params(split), 0f, "same start");
            List<long[]> hookSteps = new ArrayList<>();
            FitState state = new FitState();
            assertFalse(state.started());
            fit(split, data, o.copy().steps(4), state);
            fit(split, data, o.copy().steps(3).stepHook((s, t) -> hookSteps.add(new long[] {s, t})), state); // ends on the epoch
            TrainingReport last = fit(split, data, o.copy().steps(9), state);
            assertEquals(16, state.stepsDone());
            assertEquals(9, last.stepsDone(), "a report counts the steps of its own call");
            fit(whole, data, o.copy().steps(16), null);
            assertArrayEquals(Fixtures.params(whole), Fixtures.params(split), 1e-6f);
            assertArrayEquals(new long[] {5, 7}, hookSteps.get(0), "step hooks see global steps");
            assertArrayEquals(new long[] {7, 7}, hookSteps.get(2));
        }
    }

    @Test
    void withoutAStateEachCallRestartsTheOptimizer() {
        try (NDManager m = NDManager.newBaseManager(); Model split = seededMlp("restart"); Model whole = seededMlp("w")) {
            TensorData data = Fixtures.blobs(m, 48, 3);
            FitOptions o = FitOptions.defaults().batchSize(8).seed(5).lr(0.02);
            fit(split, data, o.copy().steps(3), null);
            fit(split, data, o.copy().steps(3), null);
            fit(whole, data, o.copy().steps(6), null);
            float[] a = Fixtures.params(split);
            float[] b = Fixtures.params(whole);
            double diff = 0;
            for (int i = 0; i < a.length; i++) {
                diff = Math.max(diff, Math.abs(a[i] - b[i]));
            }
            assertTrue(diff > 1e-4, "a restart differs from a continued run: " + diff);
        }
    }

    @Test
    void anotherBatchSizeOrDataSetIsRefused() {
        try (NDManager m = NDManager.newBaseManager(); Model model = seededMlp("misuse")) {
            TensorData data = Fixtures.blobs(m, 48, 3);
            FitState state = new FitState();
            fit(model, data, FitOptions.defaults().batchSize(8).steps(2), state);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> fit(model, data, FitOptions.defaults().batchSize(16).steps(2), state));
            assertEquals("this FitState continues a fit of 48 examples in batches of 8, not 48 in batches of 16: "
                    + "continue with the same data and batch size, or start with a new FitState", e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> fit(model, Fixtures.blobs(m, 40, 3), FitOptions.defaults().batchSize(8).steps(2), state));
            assertEquals(2, state.stepsDone());
        }
    }
}
