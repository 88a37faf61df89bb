package org.loralab.lora.inject;

import ai.djl.nn.Block;
import java.util.Map;

/**
 * Dotted path names for every block of a DJL tree.
 *
 * <p>Rules: a child added with {@code addChildBlock(name, block)} is named {@code name} (DJL's
 * "01" numeric prefix removed). A child whose name is just its class's simple name (what
 * {@code SequentialBlock.add} and {@code ParallelBlock} produce) is anonymous and gets its 0-based
 * index among its siblings, as PyTorch's nn.Sequential does: "0", "1", ... If two siblings end up
 * with the same name, both keep DJL's full key. The root's path is "".
 *
 * <p>So a model built with {@code addChildBlock("encoder", ...)} / {@code ("layer", seq)} /
 * {@code ("attention", ...)} / {@code ("query", linear)} gets HF names such as
 * {@code encoder.layer.3.attention.attention.query}.
 */
public final class BlockPaths {
    private BlockPaths() {}

    /** Path → block for the whole tree, in depth-first order (adapter wrappers transparent). */
    public static Map<String, Block> named(Block root) {
        throw new UnsupportedOperationException("TODO");
    }
}
