package org.loralab.lora.variant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * Per-step hooks a training loop calls for variants that act during training (AdaLoRA's rank
 * allocator, DyLoRA's rank sampling, SoRA's gate). The order per batch is:
 * {@code beforeStep} → forward → {@code extraLoss} added to the loss → backward → optimizer step →
 * {@code afterStep} (gradients are still readable there) → gradients cleared.
 * All methods default to doing nothing.
 */
public interface TrainingHooks {
    /**
     * Problems with the planned run, one line each, that a trainer shows before its first step (AdaLoRA: its
     * total_step differs from {@code totalSteps}, so the rank budget would end at the wrong time). Default: none.
     *
     * @param totalSteps the number of optimizer steps the trainer will run
     */
    default List<String> planWarnings(long totalSteps) {
        return List.of();
    }

    /** Before the forward pass of a step (DyLoRA draws its rank here). */
    default void beforeStep(StepInfo step) {}

    /**
     * A term to add to the loss of this step (AdaLoRA's orthogonal regulariser, SoRA's L1), or null.
     *
     * @param params live parameter values (the trainer's ParameterStore)
     * @param manager a manager for temporaries of this batch
     */
    default NDArray extraLoss(ParamSource params, NDManager manager) {
        return null;
    }

    /** After the optimizer step, before gradients are cleared (AdaLoRA's update_and_allocate). */
    default void afterStep(StepInfo step) {}

    /** No hooks. */
    TrainingHooks NONE = new TrainingHooks() {};
}
