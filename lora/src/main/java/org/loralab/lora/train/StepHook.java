package org.loralab.lora.train;

/** Called after every optimizer step (e.g. a variant's per-step update such as AdaLoRA's rank budget). */
@FunctionalInterface
public interface StepHook {
    void afterStep(long step, long totalSteps);
}
