package org.loralab.lora.hf;

import ai.djl.Model;
import ai.djl.nn.Block;

/**
 * A model loaded from a Hugging Face directory. Its {@link #block()} has the checkpoint's module paths, so PEFT's
 * {@code target_modules} and adapter keys apply unchanged. Closing it frees the weights.
 */
public abstract class HfModel implements AutoCloseable {
    private final HfConfig config;
    private final String family;

    protected HfModel(HfConfig config, String family) {
        this.config = config;
        this.family = family;
    }

    /** The DJL model holding the weights; its block has the checkpoint's module paths (BlockPaths names). */
    public abstract Model model();

    /** The root block (the model's current block, which an injector may have replaced). */
    public Block block() {
        return model().getBlock();
    }

    public HfConfig config() {
        return config;
    }

    /** The {@link ModelFamily#name()} that built it. */
    public String family() {
        return family;
    }

    @Override
    public void close() {
        model().close();
    }
}
