package org.loralab.lora.variant;

import java.util.Random;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.config.LoraInit;

/**
 * Everything a variant needs to build the adapter of one layer.
 *
 * @param path dotted path of the base block, e.g. "encoder.layer.3.attention.attention.query"
 * @param adapterName the adapter's name ("default" unless given)
 * @param config the adapter config
 * @param base the base layer
 * @param r this layer's rank (after rank_pattern)
 * @param alpha this layer's alpha (after alpha_pattern)
 * @param random the random source for inits, seeded from {@link AdapterConfig#seed()} when given
 */
public record LayerSpec(
        String path, String adapterName, AdapterConfig config, BaseLayer base, int r, double alpha,
        Random random) {

    /** LoRA scaling for this layer: alpha/r, or alpha/sqrt(r) with rsLoRA. */
    public double scaling() {
        return AdapterConfig.scaling(alpha, r, config.useRslora());
    }

    /** The config's dropout. */
    public double dropout() {
        return config.dropout();
    }

    /** The config's init. */
    public LoraInit init() {
        return config.init();
    }
}
