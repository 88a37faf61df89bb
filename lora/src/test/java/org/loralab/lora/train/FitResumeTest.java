package org.loralab.lora.train;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loralab.lora.variant.TrainingHooks;

/** A checkpoint carries the fit's state: resuming from it gives the uninterrupted run's weights, bit for bit. */
class FitResumeTest {
    @TempDir
    Path dir;

    private static TrainingReport fit(Model model, TensorData data, FitOptions o, FitState state) {
        return Fit.fit(model.getBlock(), model.getNDManager(), data, null, o, TrainableParams.of(model.getBlock()),
                TrainingHooks.NONE, state);
    }

    @Test
    void resumingFromEachCheckpointGivesTheUninterruptedWeights() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TensorData data = Fixtures.blobs(m, 50, 3); // 7 batches of 8 a epoch: checkpoints inside and across epochs
            FitOptions o = FitOptions.defaults().batchSize(8).seed(5).lr(0.02).optimizer(OptimizerKind.ADAMW)
                    .weightDecay(0.01).schedule("cosine").warmupSteps(3).steps(17);
            float[] whole;
            Engine.getInstance().setRandomSeed(11);
            try (Model model = Fixtures.mlp("whole")) {
                fit(model, data, o.copy().checkpoints(5, dir), null);
                whole = Fixtures.params(model);
            }
            for (long k : new long[] {5, 10, 15}) {
                Path checkpoint = Checkpoints.fileFor(dir, k);
                assertTrue(Files.isRegularFile(Checkpoints.stateFileFor(checkpoint)), "no fit state at step " + k);
                Engine.getInstance().setRandomSeed(99); // other initial weights: the checkpoint must bring its own
                try (Model fresh = Fixtures.mlp("resumed-" + k)) {
                    FitState state = Checkpoints.resume(checkpoint, fresh.getBlock(), fresh.getNDManager());
                    assertEquals(k, state.stepsDone());
                    assertEquals(17, state.plannedSteps());
                    TrainingReport r = fit(fresh, data, o.copy().steps(state.remainingSteps()), state);
                    assertEquals(17 - k, r.stepsDone());
                    assertArrayEquals(whole, Fixtures.params(fresh), 0f, "resumed from step " + k);
                }
            }
        }
    }

    @Test
    void aStateIsRefusedWithOtherWeightsOrWhenItIsMissing() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); Model model = Fixtures.mlp("torn")) {
            TensorData data = Fixtures.blobs(m, 24, 3);
            fit(model, data, FitOptions.defaults().batchSize(8).steps(2).checkpoints(1, dir), null);
            Path one = Checkpoints.fileFor(dir, 1);
            Path two = Checkpoints.fileFor(dir, 2);
            Files.copy(two, one, java.nio.file.StandardCopyOption.REPLACE_EXISTING); // a torn pair
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Checkpoints.resume(one, model.getBlock(), model.getNDManager()));
            assertTrue(e.getMessage().contains("CRC-32"), e.getMessage());
            Files.delete(Checkpoints.stateFileFor(two));
            e = assertThrows(IllegalArgumentException.class,
                    () -> Checkpoints.resume(two, model.getBlock(), model.getNDManager()));
            assertTrue(e.getMessage().contains("no fit state"), e.getMessage());
            Files.write(Checkpoints.stateFileFor(two), new byte[] {0, 16, 'L', 'O'});
            assertThrows(IllegalArgumentException.class, () -> Checkpoints.resume(two, model.getBlock(), model.getNDManager()));
        }
    }
}
