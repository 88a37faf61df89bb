package org.loralab.lora.variant;

/**
 * One optimizer step, as trainers report it to {@link TrainingHooks}.
 *
 * @param step the global step, from 0
 * @param totalSteps the planned number of steps (AdaLoRA's total_step), or -1 when unknown
 */
public record StepInfo(long step, long totalSteps) {}
