package org.loralab.lora.train;

/** How trainable parameters are grouped for the optimizer. */
public enum GroupPolicy {
    /** One group at the base lr. */
    PLAIN,
    /** LoRA+ (spec §4): B and 1-D tensors at lr x ratio; requires {@link FitOptions#loraPlusRatio(double)}. */
    LORA_PLUS,
    /** LoRA-FA (spec §8): A frozen, B's gradient preconditioned; always adamw-hf. */
    LORA_FA
}
