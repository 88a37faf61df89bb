package org.loralab.lora.train;

/** Training events; all methods run on the training thread, between batches. */
public interface FitListener {
    /**
     * A one-line warning about the planned run, before the first step (e.g. AdaLoRA's total_step differs from the
     * steps this fit runs). Fit prints it to stderr instead when no listener is registered.
     */
    default void onWarning(String message) {}

    default void onBatch(BatchEvent event) {}

    default void onEpoch(EpochStats stats, BatchEvent last) {}

    /** Training ran to the planned end. */
    default void onEnd(TrainingReport report) {}

    /** Training stopped early (interrupt or non-finite loss); the report says why and how far it got. */
    default void onStopped(TrainingReport report) {}
}
