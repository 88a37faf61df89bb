package org.loralab.lora.train;

/**
 * One finished training step.
 *
 * @param step steps done so far (1-based)
 * @param epoch the current epoch (1-based)
 * @param elapsedSeconds wall time since training began
 * @param examplesPerSecond training examples per second so far
 * @param lr the base learning rate used for this step (group lrs scale with it)
 */
public record BatchEvent(
        long step,
        long totalSteps,
        int epoch,
        int epochs,
        double loss,
        double elapsedSeconds,
        double examplesPerSecond,
        double lr) {

    /** Estimated seconds left at the current rate. */
    public double etaSeconds() {
        return step == 0 ? Double.NaN : elapsedSeconds / step * (totalSteps - step);
    }
}
