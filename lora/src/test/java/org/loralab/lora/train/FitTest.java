package org.loralab.lora.train;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FitTest {

    private static TrainingReport trainOnce(long seed, float[][] finalParams) {
        Engine.getInstance().setRandomSeed(7);
        try (NDManager m = NDManager.newBaseManager(); Model model = Fixtures.mlp("det")) {
            TensorData data = Fixtures.blobs(m, 96, 3);
            TrainingReport r = Fit.fit(model, data, null,
                    FitOptions.defaults().epochs(2).batchSize(16).seed(seed).lr(0.01));
            finalParams[0] = Fixtures.params(model);
            return r;
        }
    }

    @Test
    void identicalSeedDataAndConfigGiveBitIdenticalResults() {
        float[][] p1 = new float[1][];
        float[][] p2 = new float[1][];
        TrainingReport r1 = trainOnce(11, p1);
        TrainingReport r2 = trainOnce(11, p2);
        assertArrayEquals(r1.stepLosses(), r2.stepLosses(), 0.0);
        assertArrayEquals(p1[0], p2[0], 0.0f);
        float[][] p3 = new float[1][];
        TrainingReport r3 = trainOnce(12, p3); // a different shuffle must change something
        assertFalse(java.util.Arrays.equals(r1.stepLosses(), r3.stepLosses()));
    }

    /**
     * Two plain SGD steps on one fixed batch must use a fresh gradient each step: w2 = w1 - lr*g(w1), not
     * w1 - lr*(g(w0) + g(w1)) (PyTorch accumulates gradients unless they are cleared).
     */
    @Test
    void eachStepUsesAFreshGradient() {
        float[] x = {1f, 2f, -1f, 0.5f, 3f, -2f};
        float[] y = {1f, -1f, 2f};
        float lr = 0.05f;
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("sgd")) {
            ai.djl.nn.core.Linear lin = ai.djl.nn.core.Linear.builder().setUnits(1).optBias(false).build();
            model.setBlock(lin);
            lin.initialize(model.getNDManager(), ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, 2));
            float[] w = lin.getParameters().get("weight").getArray().toFloatArray();
            TensorData data = new TensorData(m.create(x, new Shape(3, 2)), m.create(y, new Shape(3, 1)));
            Fit.fit(model, data, null, FitOptions.defaults().steps(2).batchSize(3).shuffle(false)
                    .optimizer(OptimizerKind.SGD).lr(lr).weightDecay(0).loss(ai.djl.training.loss.Loss.l2Loss()));
            for (int step = 0; step < 2; step++) {
                // DJL's L2 loss: mean over examples of 0.5*(pred - y)^2, so dL/dw = mean((pred - y) * x)
                float[] g = new float[2];
                for (int i = 0; i < 3; i++) {
                    float err = w[0] * x[2 * i] + w[1] * x[2 * i + 1] - y[i];
                    g[0] += err * x[2 * i] / 3;
                    g[1] += err * x[2 * i + 1] / 3;
                }
                w = new float[] {w[0] - lr * g[0], w[1] - lr * g[1]};
            }
            assertArrayEquals(w, lin.getParameters().get("weight").getArray().toFloatArray(), 1e-5f);
            float[] grad = lin.getParameters().get("weight").getArray().getGradient().toFloatArray();
            assertArrayEquals(new float[] {0f, 0f}, grad, 0f, "the loop leaves no gradient behind");
        }
    }

    @Test
    void learnsSeparableBlobsAndReportsEpochsAndCounts() {
        Engine.getInstance().setRandomSeed(1);
        try (NDManager m = NDManager.newBaseManager(); Model model = Fixtures.mlp("learn")) {
            TensorData train = Fixtures.blobs(m, 300, 1);
            TensorData val = Fixtures.blobs(m, 90, 2);
            TrainingReport r = Fit.fit(model, train, val,
                    FitOptions.defaults().epochs(5).batchSize(30).lr(0.01).schedule("cosine").warmupSteps(5));
            assertEquals(StopReason.COMPLETED, r.stopReason());
            assertEquals(5, r.epochs().size());
            assertEquals(50, r.stepsDone());
            assertEquals(1500, r.examplesSeen());
            assertTrue(r.finalAccuracy() > 0.9, "val accuracy " + r.finalAccuracy());
            assertTrue(r.epochs().get(4).trainLoss() < r.epochs().get(0).trainLoss());
            // 8*16+16 + 16*3+3
            assertEquals(195, r.trainableParams());
            assertEquals(195, r.totalParams());
            assertEquals(5, r.toTable().rowCount());
        }
    }

    /** A kernel runs cells on its own thread, where PyTorch's (thread-local) grad mode is on. */
    @Test
    void trainsOnAFreshThreadToo() throws Exception {
        TrainingReport[] out = new TrainingReport[1];
        Throwable[] err = new Throwable[1];
        Thread t = new Thread(() -> {
            try (NDManager m = NDManager.newBaseManager(); Model model = Fixtures.mlp("thread")) {
                TensorData data = Fixtures.blobs(m, 64, 1);
                float[] x = data.features().toFloatArray();
                x[8 * 20] = Float.NaN; // also exercises the restore path
                out[0] = Fit.fit(model, new TensorData(m.create(x, new Shape(64, 8)), data.labels()), null,
                        FitOptions.defaults().epochs(1).batchSize(8).shuffle(false).clipNorm(1));
            } catch (Throwable e) {
                err[0] = e;
            }
        });
        t.start();
        t.join();
        assertNull(err[0], () -> String.valueOf(err[0]));
        assertEquals(StopReason.NON_FINITE_LOSS, out[0].stopReason());
        assertEquals(2, out[0].stepsDone());
    }

    /** Runs only where DJL reports a GPU (skipped elsewhere): same seed and data on GPU and CPU agree closely. */
    @Test
    void trainsOnTheGpuWhenDjlReportsOne() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Engine.getInstance().getGpuCount() > 0,
                "DJL reports no GPU here");
        float[][] p = new float[1][];
        TrainingReport cpu = trainOnce(11, p);
        Engine.getInstance().setRandomSeed(7);
        try (NDManager m = NDManager.newBaseManager(); Model model = Fixtures.mlp("gpu")) {
            TrainingReport gpu = Fit.fit(model, Fixtures.blobs(m, 96, 3), null, FitOptions.defaults().epochs(2)
                    .batchSize(16).seed(11).lr(0.01).devices(Devices.parse("gpu")));
            assertTrue(gpu.devices().contains("gpu"), gpu.devices());
            for (int i = 0; i < cpu.stepLosses().length; i++) {
                assertEquals(cpu.stepLosses()[i], gpu.stepLosses()[i], 1e-3 * Math.abs(cpu.stepLosses()[i]) + 1e-4);
            }
        }
    }

    @Test
    void stepsOptionOverridesEpochs() {
        try (NDManager m = NDManager.newBaseManager(); Model model = Fixtures.mlp("steps")) {
            TrainingReport r = Fit.fit(model, Fixtures.blobs(m, 64, 1), null,
                    FitOptions.defaults().epochs(9).steps(5).batchSize(16));
            assertEquals(5, r.stepsDone());
            assertEquals(5, r.totalSteps());
            assertEquals(2, r.epochs().size());
        }
    }

    @Test
    void nativeArraysDoNotGrowWithEpochs() {
        try (NDManager m = NDManager.newBaseManager(); Model model = Fixtures.mlp("mem")) {
            TensorData data = Fixtures.blobs(m, 64, 1);
            List<Integer> counts = new ArrayList<>();
            BaseNDManager root = (BaseNDManager) model.getNDManager();
            FitListener counter = new FitListener() {
                @Override
                public void onEpoch(EpochStats stats, BatchEvent last) {
                    counts.add(root.getManagedArrays().size());
                }
            };
            Fit.fit(model, data, Fixtures.blobs(m, 32, 2),
                    FitOptions.defaults().epochs(6).batchSize(8).clipNorm(1.0).listener(counter));
            assertEquals(6, counts.size());
            assertTrue(counts.get(0) > 0);
            // epoch 1 creates optimizer state lazily; from epoch 2 on, nothing may accumulate
            assertEquals(counts.get(1), counts.get(5), "arrays per epoch: " + counts);
        }
    }

    @Test
    void frozenParametersDoNotMove() {
        try (NDManager m = NDManager.newBaseManager(); Model model = Fixtures.loraModel("frozen", 2.0, 0f)) {
            TinyLoraLinear b = (TinyLoraLinear) model.getBlock();
            float[] w0 = b.weight.getArray().toFloatArray();
            float[] a0 = b.loraA.getArray().toFloatArray();
            TrainingReport r = Fit.fit(model, Fixtures.blobs(m, 64, 1), null,
                    FitOptions.defaults().epochs(2).batchSize(16).lr(0.05));
            assertArrayEquals(w0, b.weight.getArray().toFloatArray(), 0f);
            assertFalse(java.util.Arrays.equals(a0, b.loraA.getArray().toFloatArray()));
            assertEquals(2 * 8 + 3 * 2, r.trainableParams());
            assertEquals(24 + 16 + 6, r.totalParams());
        }
    }

    @Test
    void interruptStopsAtNextBatchAndLeavesModelUsable() {
        try (NDManager m = NDManager.newBaseManager(); Model model = Fixtures.mlp("intr")) {
            List<FitListener> seen = new ArrayList<>();
            boolean[] stopped = new boolean[1];
            FitListener interrupter = new FitListener() {
                @Override
                public void onBatch(BatchEvent e) {
                    if (e.step() == 3) {
                        Thread.currentThread().interrupt();
                    }
                }

                @Override
                public void onStopped(TrainingReport report) {
                    stopped[0] = true;
                }
            };
            TrainingReport r = Fit.fit(model, Fixtures.blobs(m, 64, 1), null,
                    FitOptions.defaults().epochs(3).batchSize(8).listener(interrupter));
            assertTrue(Thread.interrupted(), "the interrupt flag is restored for the caller");
            assertEquals(StopReason.INTERRUPTED, r.stopReason());
            assertEquals(3, r.stepsDone());
            assertEquals(24, r.totalSteps());
            assertTrue(stopped[0]);
            assertTrue(r.message().contains("step 3"), r.message());
            NDList out = model.getBlock().forward(new ParameterStore(m, false),
                    new NDList(m.ones(new Shape(2, 8))), false);
            assertEquals(new Shape(2, 3), out.head().getShape());
        }
    }

    @Test
    void nonFiniteLossStopsAndKeepsLastGoodWeights() {
        try (NDManager m = NDManager.newBaseManager(); Model model = Fixtures.mlp("nan")) {
            TensorData data = Fixtures.blobs(m, 64, 1);
            float[] x = data.features().toFloatArray();
            x[8 * 40] = Float.NaN; // example 40 is in batch 6 (batch size 8, no shuffle)
            TensorData bad = new TensorData(m.create(x, new Shape(64, 8)), data.labels());
            // the loss of step 5 was computed with the weights after step 4: those are the last good ones
            float[][] afterStep4 = new float[1][];
            FitListener snap = new FitListener() {
                @Override
                public void onBatch(BatchEvent e) {
                    if (e.step() == 4) {
                        afterStep4[0] = Fixtures.params(model);
                    }
                }
            };
            TrainingReport r = Fit.fit(model, bad, null,
                    FitOptions.defaults().epochs(2).batchSize(8).shuffle(false).listener(snap));
            assertEquals(StopReason.NON_FINITE_LOSS, r.stopReason());
            assertEquals(5, r.stepsDone());
            assertTrue(r.message().contains("step 6"), r.message());
            assertArrayEquals(afterStep4[0], Fixtures.params(model), 0f);
        }
    }

    @Test
    void gradientClippingBoundsTheSgdUpdate() {
        try (NDManager m = NDManager.newBaseManager(); Model model = Fixtures.mlp("clip")) {
            float[] before = Fixtures.params(model);
            Fit.fit(model, Fixtures.blobs(m, 16, 1), null, FitOptions.defaults().steps(1).batchSize(16)
                    .optimizer(OptimizerKind.SGD).lr(1.0).clipNorm(1e-3).nonFiniteGuard(false));
            float[] after = Fixtures.params(model);
            double sq = 0;
            for (int i = 0; i < before.length; i++) {
                sq += (after[i] - before[i]) * (double) (after[i] - before[i]);
            }
            double norm = Math.sqrt(sq);
            assertTrue(norm <= 1e-3 * 1.001 && norm > 1e-4, "update norm " + norm);
        }
    }

    @Test
    void checkpointsAreWrittenAtomicallyEveryNSteps(@TempDir Path dir) throws Exception {
        try (NDManager m = NDManager.newBaseManager(); Model model = Fixtures.mlp("ckpt")) {
            Fit.fit(model, Fixtures.blobs(m, 40, 1), null,
                    FitOptions.defaults().steps(5).batchSize(8).checkpoints(2, dir));
            try (Stream<Path> files = Files.list(dir)) {
                List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
                assertEquals(List.of("checkpoint-step-00000002.fitstate", "checkpoint-step-00000002.params",
                        "checkpoint-step-00000004.fitstate", "checkpoint-step-00000004.params"), names);
            }
            assertTrue(Files.size(Checkpoints.fileFor(dir, 4)) > 195 * 4);
        }
    }

    @Test
    void everythingFrozenIsAClearError() {
        try (NDManager m = NDManager.newBaseManager(); Model model = Fixtures.mlp("allfrozen")) {
            model.getBlock().freezeParameters(true);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Fit.fit(model, Fixtures.blobs(m, 8, 1), null, FitOptions.defaults()));
            assertTrue(e.getMessage().startsWith("nothing to train"));
        }
    }

    @Test
    void stepHooksRunEveryStep() {
        try (NDManager m = NDManager.newBaseManager(); Model model = Fixtures.mlp("hooks")) {
            List<Long> steps = new ArrayList<>();
            Fit.fit(model, Fixtures.blobs(m, 24, 1), null,
                    FitOptions.defaults().epochs(2).batchSize(8).stepHook((s, t) -> steps.add(s * 100 + t)));
            assertEquals(List.of(106L, 206L, 306L, 406L, 506L, 606L), steps);
        }
    }

    @Test
    void badOptionsAreRejectedWithAClearMessage() {
        assertThrows(IllegalArgumentException.class, () -> FitOptions.defaults().lr(-1));
        assertThrows(IllegalArgumentException.class, () -> FitOptions.defaults().schedule("linear-ish"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OptimizerKind.parse("adamm"));
        assertTrue(e.getMessage().contains("sgd, adam, adamw"));
    }

    @Test
    void warmupCosineSchedule() {
        Schedule s = Schedule.warmupCosine(10);
        assertEquals(0.0, s.factor(0, 110), 0);
        assertEquals(0.5, s.factor(5, 110), 1e-12);
        assertEquals(1.0, s.factor(10, 110), 1e-12);
        assertEquals(0.5, s.factor(60, 110), 1e-12);
        assertEquals(0.0, s.factor(110, 110), 1e-12);
        assertEquals(1.0, Schedule.constant().factor(99, 100), 0);
    }
}
