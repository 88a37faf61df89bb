package org.loralab.lora.quant;

/**
 * LoftQ options (PEFT {@code LoftQConfig}, spec §14): {@code bits} 4 (NF4, blocks of 64, no double quantisation)
 * or 8 (int8 row-wise), {@code iterations >= 1} ({@code loftq_iter}), and what to do with the LoRA scaling s.
 *
 * <p>Default {@link ScalingMode#IGNORE_SCALING}: it is PEFT's documented behaviour (issue #1982, still open), so
 * adapters initialised here equal PEFT's (up to SVD signs) and checkpoints move between the two unchanged. It is
 * exact when {@code lora_alpha == r} (s = 1). Choose {@link ScalingMode#COMPENSATE_SCALING} when s != 1 and the
 * forward pass {@code Q + s·B·A} should start at the LoftQ approximation of W.
 */
public record LoftQConfig(int bits, int iterations, ScalingMode scalingMode, QuantOptions nf4Options) {

    public enum ScalingMode {
        /** PEFT: A = R, B = L, so {@code Q + B·A ≈ W}; the forward adds {@code s·B·A}. */
        IGNORE_SCALING,
        /** A = R/√s, B = L/√s, so {@code Q + s·B·A ≈ W}. Same as IGNORE_SCALING when s = 1. */
        COMPENSATE_SCALING
    }

    public LoftQConfig {
        if (bits != 4 && bits != 8) {
            throw new IllegalArgumentException("LoftQ bits must be 4 (NF4) or 8 (int8), got " + bits);
        }
        if (iterations < 1) {
            throw new IllegalArgumentException("LoftQ iterations (loftq_iter) must be >= 1, got " + iterations);
        }
        if (scalingMode == null || nf4Options == null) {
            throw new IllegalArgumentException("LoftQ scalingMode and nf4Options must not be null");
        }
    }

    /** PEFT's defaults: {@code LoftQConfig(loftq_bits=4, loftq_iter=1)}, scaling ignored. */
    public static LoftQConfig defaults() {
        return new LoftQConfig(4, 1, ScalingMode.IGNORE_SCALING, QuantOptions.nf4());
    }

    public LoftQConfig withBits(int b) {
        return new LoftQConfig(b, iterations, scalingMode, nf4Options);
    }

    public LoftQConfig withIterations(int n) {
        return new LoftQConfig(bits, n, scalingMode, nf4Options);
    }

    public LoftQConfig withScalingMode(ScalingMode mode) {
        return new LoftQConfig(bits, iterations, mode, nf4Options);
    }
}
