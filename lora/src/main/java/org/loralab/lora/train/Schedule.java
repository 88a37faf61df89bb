package org.loralab.lora.train;

/**
 * A learning-rate multiplier per optimizer step, applied to every group's own lr (as PyTorch's LambdaLR does), so
 * LoRA+ groups keep their ratio through warm-up and decay.
 */
@FunctionalInterface
public interface Schedule {

    /** The multiplier for the update made at {@code step} (0-based) of {@code totalSteps}. */
    double factor(long step, long totalSteps);

    static Schedule constant() {
        return (step, total) -> 1.0;
    }

    /**
     * Linear warm-up from 0 over {@code warmupSteps}, then a half cosine down to 0 at the last step (transformers'
     * get_cosine_schedule_with_warmup with 0.5 cycles).
     */
    static Schedule warmupCosine(long warmupSteps) {
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warmup steps must be >= 0, got " + warmupSteps);
        }
        return (step, total) -> {
            if (step < warmupSteps) {
                return (double) step / Math.max(1, warmupSteps);
            }
            double progress = (double) (step - warmupSteps) / Math.max(1, total - warmupSteps);
            return Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * progress)));
        };
    }

    /**
     * Linear warm-up from 0 over {@code warmupSteps}, then a linear decay to 0 at the last step (transformers'
     * get_linear_schedule_with_warmup, the default of its Trainer and the schedule of SoRA's reference runs).
     */
    static Schedule warmupLinear(long warmupSteps) {
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warmup steps must be >= 0, got " + warmupSteps);
        }
        return (step, total) -> {
            if (step < warmupSteps) {
                return (double) step / Math.max(1, warmupSteps);
            }
            return Math.max(0.0, (double) (total - step) / Math.max(1, total - warmupSteps));
        };
    }

    /** "constant", "cosine" or "linear" (warm-up steps given separately). */
    static Schedule parse(String name, long warmupSteps) {
        switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "constant":
                return constant();
            case "cosine":
            case "warmup-cosine":
                return warmupCosine(warmupSteps);
            case "linear":
            case "warmup-linear":
                return warmupLinear(warmupSteps);
            default:
                throw new IllegalArgumentException(
                        "unknown schedule '" + name + "': use constant, cosine or linear");
        }
    }
}
