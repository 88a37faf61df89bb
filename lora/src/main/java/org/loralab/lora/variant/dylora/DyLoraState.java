package org.loralab.lora.variant.dylora;

import java.util.Random;
import org.loralab.lora.variant.SharedState;
import org.loralab.lora.variant.StepInfo;

/**
 * DyLoRA's model-level rank (reference {@code run_glue.py} callback + {@code set_rank}, spec §15): before every
 * training step one rank {@code b ~ UniformInt{1..r_max}} is drawn for all layers of the adapter (seeded); between
 * {@code beforeStep} and {@code afterStep} training forwards use it (frozen mode: only component b learns).
 * Everything else (inference, ΔW, merge) uses the evaluation rank, r_max unless {@link #setEvalRank} changed it.
 */
public final class DyLoraState implements SharedState {
    private final int rMax;
    private final boolean frozen;
    private final Random random;
    private int evalRank;
    private int trainRank = -1;
    private boolean inStep;

    DyLoraState(int rMax, boolean frozen, long seed) {
        this.rMax = rMax;
        this.frozen = frozen;
        this.random = new Random(seed);
        this.evalRank = rMax;
    }

    /** r_max. */
    public int maxRank() {
        return rMax;
    }

    /** Whether training truncation detaches the lower b−1 components (the reference's training mode). */
    public boolean frozen() {
        return frozen;
    }

    /** The rank used outside training steps (1..r_max). */
    public int evalRank() {
        return evalRank;
    }

    /** Sets the rank for inference, ΔW and merging; 1 ≤ rank ≤ r_max. */
    public void setEvalRank(int rank) {
        if (rank < 1 || rank > rMax) {
            throw new IllegalArgumentException("DyLoRA rank must be in 1.." + rMax + ", got " + rank);
        }
        evalRank = rank;
    }

    /** The rank drawn for the current (or last) training step, or -1 before the first. */
    public int trainRank() {
        return trainRank;
    }

    /** Whether a training step is under way (between beforeStep and afterStep). */
    public boolean inStep() {
        return inStep;
    }

    @Override
    public void beforeStep(StepInfo step) {
        trainRank = random.nextInt(rMax) + 1;
        inStep = true;
    }

    @Override
    public void afterStep(StepInfo step) {
        inStep = false;
    }

    /** Starts a training step at a given rank (tests and custom loops that choose b themselves). */
    public void beginStepAt(int rank) {
        if (rank < 1 || rank > rMax) {
            throw new IllegalArgumentException("DyLoRA rank must be in 1.." + rMax + ", got " + rank);
        }
        trainRank = rank;
        inStep = true;
    }
}
