package org.loralab.lora.train;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;

/** A block's parameters by hierarchical name, in registration order. */
public final class NamedParams {
    private NamedParams() {}

    public static List<Pair<String, Parameter>> all(Block block) {
        List<Pair<String, Parameter>> out = new ArrayList<>();
        block.getParameters().forEach(out::add);
        return out;
    }

    public static List<Pair<String, Parameter>> trainable(Block block) {
        List<Pair<String, Parameter>> out = new ArrayList<>();
        for (Pair<String, Parameter> p : all(block)) {
            if (p.getValue().requiresGradient()) {
                out.add(p);
            }
        }
        return out;
    }

    /** Number of scalars in the given parameters (shape must be known). */
    public static long count(List<Pair<String, Parameter>> params) {
        long n = 0;
        for (Pair<String, Parameter> p : params) {
            n += p.getValue().getShape().size();
        }
        return n;
    }
}
