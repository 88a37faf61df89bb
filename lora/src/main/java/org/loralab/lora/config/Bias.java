package org.loralab.lora.config;

import java.util.Locale;

/** Which base biases train, PEFT's {@code bias} option (§1.3). */
public enum Bias {
    /** All biases stay frozen (default). */
    NONE,
    /** Every parameter named like a bias trains. */
    ALL,
    /** Only the biases of the base layers that carry an adapter train. */
    LORA_ONLY;

    /** The PEFT spelling: {@code "none"}, {@code "all"}, {@code "lora_only"}. */
    public String peftName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the PEFT spelling; fails with the accepted values. */
    public static Bias parse(String s) {
        for (Bias b : values()) {
            if (b.peftName().equalsIgnoreCase(s)) {
                return b;
            }
        }
        throw new IllegalArgumentException(
                "bias must be one of none, all, lora_only; got '" + s + "'");
    }
}
