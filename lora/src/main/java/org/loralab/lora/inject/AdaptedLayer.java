package org.loralab.lora.inject;

import ai.djl.nn.Block;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.loralab.lora.variant.LayerAdapter;

/** One adapted base layer: its adapters by name, which are merged (LIFO) and how it is reached. */
final class AdaptedLayer {
    static final String ACTIVATION = "activation";
    static final String WEIGHT = "weight";

    final String path;
    final DjlBaseLayer base;
    final AdapterState state;
    final Map<String, LayerAdapter> adapters = new LinkedHashMap<>();
    final Deque<String> merged = new ArrayDeque<>();
    final String mechanism;
    /** The AdapterBlock (activation) or WeightPathBlock (weight) that runs this layer's adapters. */
    final Block holder;

    AdaptedLayer(String path, DjlBaseLayer base, AdapterState state, String mechanism, Block holder) {
        this.path = path;
        this.base = base;
        this.state = state;
        this.mechanism = mechanism;
        this.holder = holder;
    }

    /** Adapters that contribute to the forward pass now: active, not merged, adapters enabled. */
    List<LayerAdapter> running() {
        if (!state.enabled) {
            return List.of();
        }
        List<LayerAdapter> out = new ArrayList<>(2);
        for (String name : state.active) {
            LayerAdapter a = adapters.get(name);
            if (a != null && !merged.contains(name)) {
                out.add(a);
            }
        }
        return out;
    }

    /** Merges one adapter (no-op when merged already). */
    void merge(String name) {
        LayerAdapter a = adapters.get(name);
        if (a != null && !merged.contains(name)) {
            a.merge();
            merged.push(name);
        }
    }

    /** Unmerges everything, last merged first. */
    void unmergeAll() {
        while (!merged.isEmpty()) {
            adapters.get(merged.pop()).unmerge();
        }
    }
}
