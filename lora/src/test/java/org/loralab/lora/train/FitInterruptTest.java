package org.loralab.lora.train;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The stop button: an interrupt at any moment ends a fit at the next batch with its report and the model intact. */
class FitInterruptTest {

    /** A notebook display: sending on a thread whose interrupt flag is set fails, as a ZMQ socket does (EINTR). */
    static final class SocketLikeListener implements FitListener {
        volatile long lastStep;
        volatile float[] weightsAtLastStep;
        volatile TrainingReport stopped;
        private final Model model;

        SocketLikeListener(Model model) {
            this.model = model;
        }

        private static void send() {
            if (Thread.currentThread().isInterrupted()) {
                throw new IllegalStateException("ZMQException: Errno 4");
            }
        }

        @Override
        public void onBatch(BatchEvent e) {
            lastStep = e.step();
            weightsAtLastStep = Fixtures.params(model);
            send();
        }

        @Override
        public void onStopped(TrainingReport report) {
            send();
            stopped = report;
        }

        @Override
        public void onEnd(TrainingReport report) {
            send();
        }
    }

    @Test
    void anInterruptAtARandomMomentStopsAtTheNextBatchWithTheReport() throws Exception {
        Random random = new Random(12);
        try (NDManager m = NDManager.newBaseManager()) {
            TensorData data = Fixtures.blobs(m, 96, 3);
            for (int run = 0; run < 20; run++) {
                try (Model model = Fixtures.mlp("interrupt-" + run)) {
                    float[] initial = Fixtures.params(model);
                    SocketLikeListener view = new SocketLikeListener(model);
                    FitOptions o = FitOptions.defaults().steps(1_000_000).batchSize(8).lr(0.05).listener(view)
                            .checkpoints(0, null);
                    AtomicReference<Object> result = new AtomicReference<>();
                    Thread cell = new Thread(() -> {
                        try {
                            result.set(Fit.fit(model, data, null, o));
                        } catch (Throwable t) {
                            result.set(t);
                        }
                    }, "shell-like-" + run);
                    cell.start();
                    // within 50 ms of the start in half the runs (before or at the first batches), later in the rest
                    Thread.sleep(run % 2 == 0 ? random.nextInt(50) : 50 + random.nextInt(400));
                    long asked = System.nanoTime();
                    cell.interrupt();
                    cell.join(10_000);
                    assertFalse(cell.isAlive(), "run " + run + ": the fit did not stop");
                    double seconds = (System.nanoTime() - asked) / 1e9;
                    assertTrue(seconds < 1.0, "run " + run + ": stopped after " + seconds + " s");
                    Object r = result.get();
                    if (r instanceof Throwable t) {
                        fail("run " + run + ": the interrupt became " + t, t);
                    }
                    TrainingReport report = (TrainingReport) r;
                    long k = report.stepsDone();
                    assertEquals(StopReason.INTERRUPTED, report.stopReason(), "run " + run);
                    assertEquals("interrupted at step " + k + " of 1000000", report.message(), "run " + run);
                    assertSame(report, view.stopped, "run " + run + ": the final state was not drawn");
                    assertEquals(k, report.stepLosses().length);
                    float[] after = Fixtures.params(model);
                    for (float f : after) {
                        assertTrue(Float.isFinite(f), "run " + run + ": a weight is " + f);
                    }
                    // the weights are those of step k: the stop neither undid nor half-made a step
                    assertArrayEquals(k == 0 ? initial : view.weightsAtLastStep, after, 0f, "run " + run);
                    assertEquals(k, k == 0 ? 0 : view.lastStep);
                }
            }
        }
    }
}
