package org.loralab.lora.variant;

/**
 * One optimizer step, as trainers report it to {@link TrainingHooks}.
 *
 * @param step the global step, from 0
 * @param totalSteps the planned number of steps (AdaLoRA's total_step), or -1 when unknown
 * @param lrFactor the trainer's learning-rate schedule multiplier for this step's update (warm-up/decay; 1 for a
 *     constant schedule). Variants that run their own optimizer (SoRA's gates) scale their lr by it, as the
 *     reference gives its second optimizer the same schedule as the main one.
 */
public record StepInfo(long step, long totalSteps, double lrFactor) {

    /** A step of a trainer without an lr schedule (factor 1). */
    public StepInfo(long step, long totalSteps) {
        this(step, totalSteps, 1.0);
    }
}
