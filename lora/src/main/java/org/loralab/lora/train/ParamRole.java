package org.loralab.lora.train;

import ai.djl.nn.Parameter;
import java.util.Locale;

/** What a trainable parameter is, as far as optimizer grouping (LoRA+, LoRA-FA) cares. */
public enum ParamRole {
    /** A LoRA down projection A ([r, in]). */
    LORA_A,
    /** A LoRA up projection B ([out, r]). */
    LORA_B,
    /** A factor of a LoRA-adapted embedding (lora_embedding_A/B); LoRA+ gives these their own lr. */
    EMBEDDING,
    /** Anything else (biases, heads in modules_to_save, DoRA magnitudes ...). */
    OTHER;

    /**
     * Classifies by PEFT's parameter naming (lora_A, lora_B, lora_embedding_A/B), case-insensitive; this is the
     * default when the model does not supply roles itself.
     */
    public static ParamRole byName(String name, Parameter parameter) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.contains("lora_embedding")) {
            return EMBEDDING;
        }
        if (n.contains("lora_a")) {
            return LORA_A;
        }
        if (n.contains("lora_b")) {
            return LORA_B;
        }
        return OTHER;
    }
}
