package org.loralab.lora.variant.lora;

import org.loralab.lora.config.LoraInit;

/**
 * An {@code init_lora_weights} scheme beyond true/false/gaussian (PiSSA, OLoRA, LoftQ, ...).
 * Found by {@link LoraInits} through {@code META-INF/services/org.loralab.lora.variant.lora.LoraInitializer}
 * or {@link LoraInits#register}.
 */
public interface LoraInitializer {
    /** The scheme family it handles, e.g. "pissa" (which covers "pissa_niter_K") or "olora". */
    String family();

    /** Kinds it supports; the default is Linear only, as in PEFT. */
    default boolean supports(org.loralab.lora.variant.LayerKind kind) {
        return kind == org.loralab.lora.variant.LayerKind.LINEAR;
    }

    /**
     * Sets A and B (and may rewrite the base weight, e.g. {@code W_res = W - s*B*A}) for one layer.
     *
     * @param init the parsed scheme (e.g. niter for pissa_niter_K)
     * @param ctx the layer's tensors and scaling
     */
    void initialize(LoraInit init, LoraInitContext ctx);
}
