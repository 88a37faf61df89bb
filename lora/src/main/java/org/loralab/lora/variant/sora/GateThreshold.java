package org.loralab.lora.variant.sora;

import java.util.Locale;

/**
 * The proximal step SoRA applies to its gates after each gate-optimizer update (spec §16).
 *
 * <p>{@link #SOFT} is the default: it is the soft-threshold operator {@code T_λ(g) = sign(g)·max(|g| − λ, 0)} the
 * SoRA paper documents (the proximal map of the L1 penalty), continuous in g. {@link #REFERENCE} reproduces the
 * shipped {@code sparse_optimizer.py} exactly: three sequential masked assignments ({@code g[g>λ] −= λ},
 * {@code g[g<−λ] += λ}, {@code g[|g|<λ] = 0}), which zeroes every |g| < 2λ, keeps g = ±λ unchanged, and shrinks the
 * rest by λ. Choose it to replay the reference runs bit for bit.
 */
public enum GateThreshold {
    /** Textbook soft threshold, the paper's proximal operator (default). */
    SOFT,
    /** The reference code's three sequential masks (zero below 2λ). */
    REFERENCE;

    /** Applies the rule in place with threshold {@code lambda} (float arithmetic, as torch float32). */
    public void apply(float[] g, float lambda) {
        if (this == SOFT) {
            for (int i = 0; i < g.length; i++) {
                float a = Math.abs(g[i]) - lambda;
                g[i] = a > 0 ? Math.copySign(a, g[i]) : 0f;
            }
            return;
        }
        for (int i = 0; i < g.length; i++) {
            if (g[i] > lambda) {
                g[i] -= lambda;
            }
        }
        for (int i = 0; i < g.length; i++) {
            if (g[i] < -lambda) {
                g[i] += lambda;
            }
        }
        for (int i = 0; i < g.length; i++) {
            if (Math.abs(g[i]) < lambda) {
                g[i] = 0f;
            }
        }
    }

    /** Parses "soft" or "reference" (case-insensitive). */
    public static GateThreshold parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("SoRA threshold_rule must be \"soft\" (paper, default) or \"reference\" "
                    + "(shipped code), got \"" + s + "\"");
        }
    }
}
