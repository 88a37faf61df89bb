package org.loralab.lora.variant;

/**
 * What an adapter parameter is, so trainers can build optimizer groups without knowing the variant
 * (LoRA+ puts LORA_B and every 1-D tensor in the B group and EMBEDDING_* in the embedding group;
 * LoRA-FA freezes LORA_A; SoRA gives GATE its own optimizer).
 */
public enum ParamRole {
    /** Down projection A (lora_A, hada_w*_b, ...). */
    LORA_A,
    /** Up projection B (lora_B, ...). */
    LORA_B,
    /** lora_embedding_A. */
    EMBEDDING_A,
    /** lora_embedding_B. */
    EMBEDDING_B,
    /** lora_B's bias (lora_bias=True). */
    LORA_BIAS,
    /** DoRA magnitude. */
    MAGNITUDE,
    /** Per-layer scaling vectors (VeRA lambda_b / lambda_d, AdaLoRA E). */
    VECTOR,
    /** Sparsity gate with its own optimizer (SoRA). */
    GATE,
    /** A base bias made trainable by {@code bias=all|lora_only}. */
    BASE_BIAS,
    /** A parameter of a {@code modules_to_save} copy. */
    SAVED_MODULE,
    /** Anything else. */
    OTHER
}
