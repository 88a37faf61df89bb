package org.loralab.lora.train;

import ai.djl.training.optimizer.Optimizer;
import java.util.Map;
import java.util.Random;

/**
 * What one fit hands to the next fit of the same model on the same data, so that training continues instead of
 * restarting: the optimizer (Adam moments and step counts live in it), the global step counter (the schedule, the
 * variants' step hooks and checkpoints see global steps), and the data cursor (the shuffling generator, the current
 * epoch's order and the next batch in it).
 *
 * <p>With a constant schedule and no dropout, fitting 10 steps and then 20 more with one FitState gives the weights of
 * one 30-step fit with the same options (same seed). A schedule with a horizon (cosine) is evaluated at the global
 * step over the horizon known at each call ({@code stepsDone + steps of this call}), so it restarts its decay at
 * each call rather than following one long run's curve.
 *
 * <pre>{@code
 * FitState state = new FitState();
 * Fit.fit(model, train, validation, options.steps(10), state);
 * Fit.fit(model, train, validation, options.steps(20), state);   // steps 11..30
 * }</pre>
 */
public final class FitState {
    Optimizer optimizer;
    private Random random;
    private long[] order;
    private long nextBatch;
    private long stepsDone;
    private int batchSize;
    private long plannedSteps;
    /** Optimizer moments read from a checkpoint, put into the optimizer the next fit builds. */
    Map<String, GroupedOptimizer.Moments> restoredMoments;

    /** Optimizer steps made by all fits with this state so far. */
    public long stepsDone() {
        return stepsDone;
    }

    /** The global step the run that wrote this state was planned to reach (its schedule's horizon). */
    public long plannedSteps() {
        return plannedSteps;
    }

    /** Steps still to make to finish the planned run (what a resumed %%train trains). */
    public long remainingSteps() {
        return Math.max(0, plannedSteps - stepsDone);
    }

    int batchSize() {
        return batchSize;
    }

    long nextBatch() {
        return nextBatch;
    }

    Random randomOrNull() {
        return random;
    }

    /** Whether a fit has used this state (its optimizer and cursor are set). */
    public boolean started() {
        return order != null;
    }

    /** The shuffling generator: seeded at the first fit, then carried on. */
    Random random(long seed) {
        if (random == null) {
            random = new Random(seed);
        }
        return random;
    }

    /** The batch the next fit starts at within the saved epoch order (0: start a new epoch). */
    long startBatch(long examples, int batch, long perEpoch) {
        if (order != null && (order.length != examples || batch != batchSize)) {
            throw new IllegalArgumentException("this FitState continues a fit of " + order.length + " examples in batches of " + batchSize + ", not " + examples + " in batches of " + batch
                    + ": continue with the same data and batch size, or start with a new FitState");
        }
        return order == null || nextBatch >= perEpoch ? 0 : nextBatch;
    }

    long[] order() {
        return order;
    }

    void advance(long[] epochOrder, long batchIndex, long steps, int batch, long planned) {
        this.order = epochOrder;
        this.nextBatch = batchIndex;
        this.stepsDone += steps;
        this.batchSize = batch;
        this.plannedSteps = planned;
    }

    /** The state of a running fit after {@code stepsDone} steps, as a checkpoint keeps it (a copy of the generator). */
    static FitState snapshot(Random random, long[] epochOrder, long nextBatch, long stepsDone, int batch, long planned) {
        FitState s = new FitState();
        s.restore(stepsDone, planned, batch, nextBatch, epochOrder == null ? null : epochOrder.clone(),
                FitStateFile.copy(random), null);
        return s;
    }

    void restore(long done, long planned, int batch, long next, long[] epochOrder, Random generator,
            Map<String, GroupedOptimizer.Moments> moments) {
        this.stepsDone = done;
        this.plannedSteps = planned;
        this.batchSize = batch;
        this.nextBatch = next;
        this.order = epochOrder;
        this.random = generator;
        this.restoredMoments = moments;
    }

    @Override
    public String toString() {
        return "FitState[" + stepsDone + " steps done]";
    }
}
