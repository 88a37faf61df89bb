package org.loralab.lora.inject;

import ai.djl.nn.Block;
import ai.djl.nn.BlockList;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Dotted path names for every block of a DJL tree.
 *
 * <p>Rules: a child added with {@code addChildBlock(name, block)} is named {@code name} (DJL's
 * "01" numeric prefix removed). A child whose name is just its class's simple name (what
 * {@code SequentialBlock.add} and {@code ParallelBlock} produce) is anonymous and gets its 0-based
 * index among its siblings, as PyTorch's nn.Sequential does: "0", "1", ... If two siblings end up
 * with the same name, they keep DJL's full keys ("01Linear"). The root's path is "".
 *
 * <p>So a model built with {@code addChildBlock("encoder", ...)} / {@code ("layer", seq)} /
 * {@code ("attention", ...)} / {@code ("query", linear)} gets HF names such as
 * {@code encoder.layer.3.attention.attention.query}. Adapter wrappers are transparent.
 */
public final class BlockPaths {
    private BlockPaths() {}

    /** One block of the tree. */
    record Node(String path, Block block, Block holder, Block parent, int depth) {}

    /** Path → block for the whole tree, in depth-first order (adapter wrappers transparent). */
    public static Map<String, Block> named(Block root) {
        Map<String, Block> out = new LinkedHashMap<>();
        for (Node n : walk(root)) {
            out.put(n.path(), n.block());
        }
        return out;
    }

    /**
     * Every node, depth-first, parents before children. A block reachable twice (shared, tied) is
     * listed once, under its first path, as PyTorch's named_modules does.
     */
    static List<Node> walk(Block root) {
        List<Node> out = new ArrayList<>();
        visit(root, unwrap(root), null, "", 0, out, java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
        return out;
    }

    static Block unwrap(Block b) {
        while (b instanceof Wrapper) {
            b = ((Wrapper) b).wrapped();
        }
        return b;
    }

    private static void visit(Block holder, Block block, Block parent, String path, int depth, List<Node> out,
            java.util.Set<Block> seen) {
        if (!seen.add(block)) {
            return;
        }
        out.add(new Node(path, block, holder, parent, depth));
        Map<String, Block> kids = childNames(block);
        for (Map.Entry<String, Block> e : kids.entrySet()) {
            Block h = e.getValue();
            String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
            visit(h, unwrap(h), block, p, depth + 1, out, seen);
        }
    }

    /** Clean child names of {@code block} → child holders, in order. */
    static Map<String, Block> childNames(Block block) {
        BlockList live = Reflect.children(block);
        BlockList list = live != null ? live : block.getChildren();
        List<String> names = new ArrayList<>(list.size());
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            String n = cleanName(list.keyAt(i), i, unwrap(list.valueAt(i)));
            names.add(n);
            counts.merge(n, 1, Integer::sum);
        }
        Map<String, Block> out = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            String n = names.get(i);
            if (counts.get(n) > 1) {
                n = list.keyAt(i);
            }
            out.put(n, list.valueAt(i));
        }
        return out;
    }

    /** DJL key "03query" at index 2 → "query"; "02Linear" for a Linear → "1". */
    static String cleanName(String key, int index, Block child) {
        String stripped = key;
        String prefix = String.format(Locale.ROOT, "%02d", index + 1);
        if (key.startsWith(prefix) && key.length() > prefix.length()) {
            stripped = key.substring(prefix.length());
        } else if (key.length() > 2 && Character.isDigit(key.charAt(0)) && Character.isDigit(key.charAt(1))) {
            stripped = key.substring(2);
        }
        if (stripped.equals(child.getClass().getSimpleName()) || stripped.equals("anonymous")
                || stripped.equals("LambdaBlock")) {
            return Integer.toString(index);
        }
        return stripped;
    }
}
