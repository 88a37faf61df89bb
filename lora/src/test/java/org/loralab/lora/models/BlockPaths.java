package org.loralab.lora.models;

import ai.djl.nn.Block;
import ai.djl.util.Pair;

import java.util.LinkedHashMap;
import java.util.Map;

/** Test helper: every block's dotted path, with DJL's two-digit child prefix removed. */
final class BlockPaths {

    private BlockPaths() {}

    static Map<String, Block> of(Block root) {
        Map<String, Block> out = new LinkedHashMap<>();
        walk("", root, out);
        return out;
    }

    private static void walk(String prefix, Block block, Map<String, Block> out) {
        for (Pair<String, Block> child : block.getChildren()) {
            String name = child.getKey().substring(2);
            String path = prefix.isEmpty() ? name : prefix + "." + name;
            out.put(path, child.getValue());
            walk(path, child.getValue(), out);
        }
    }
}
