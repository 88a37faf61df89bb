package org.loralab.lora.inject;

import ai.djl.Model;
import ai.djl.nn.Block;
import org.loralab.lora.config.AdapterConfig;

/** Walks a block tree, matches targets and installs adapters. */
final class Injector {
    private Injector() {}

    static AdaptedModel inject(Model model, Block root, AdapterConfig config, String name) {
        throw new UnsupportedOperationException("TODO");
    }
}
