package org.loralab.lora.hf.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.util.Arrays;
import org.loralab.lora.hf.generate.LogitsStep;

/**
 * The generation loop's view of a {@link LlamaForCausalLm} for one sequence: with a {@link KvCache} (the prompt
 * in one forward, then one token per forward), or recomputing the whole sequence every step (the reference the
 * cache must agree with). Each forward's temporaries live in a sub-manager closed right after it.
 */
public final class LlamaSteps {
    private LlamaSteps() {}

    /** Cached steps; {@code manager} is the parent of the cache and the temporaries. */
    public static LogitsStep cached(LlamaForCausalLm lm, NDManager manager) {
        return new Cached(lm, manager);
    }

    /** Steps that recompute the full sequence each time (no cache). */
    public static LogitsStep recomputing(LlamaForCausalLm lm, NDManager manager) {
        return new Recomputing(lm, manager);
    }

    static float[] lastRow(NDArray logits) {
        NDArray row = logits.get(new NDIndex(0, -1));
        return row.toType(DataType.FLOAT32, false).toFloatArray();
    }

    private static final class Cached implements LogitsStep {
        private final LlamaForCausalLm lm;
        private final NDManager manager;
        private final KvCache cache;

        Cached(LlamaForCausalLm lm, NDManager manager) {
            this.lm = lm;
            this.manager = manager;
            this.cache = lm.newCache(manager, 1);
        }

        @Override
        public float[] prefill(long[] prompt) {
            return forward(prompt);
        }

        @Override
        public float[] next(long token) {
            return forward(new long[] {token});
        }

        private float[] forward(long[] ids) {
            try (NDManager step = manager.newSubManager()) {
                NDArray x = step.create(ids).reshape(1, ids.length);
                return lastRow(lm.logits(new ParameterStore(step, false), x, null, cache, false, null));
            }
        }

        @Override
        public void close() {
            cache.close();
        }
    }

    private static final class Recomputing implements LogitsStep {
        private final LlamaForCausalLm lm;
        private final NDManager manager;
        private long[] sequence = new long[0];

        Recomputing(LlamaForCausalLm lm, NDManager manager) {
            this.lm = lm;
            this.manager = manager;
        }

        @Override
        public float[] prefill(long[] prompt) {
            sequence = prompt.clone();
            return forward();
        }

        @Override
        public float[] next(long token) {
            sequence = Arrays.copyOf(sequence, sequence.length + 1);
            sequence[sequence.length - 1] = token;
            return forward();
        }

        private float[] forward() {
            try (NDManager step = manager.newSubManager()) {
                NDArray x = step.create(sequence).reshape(1, sequence.length);
                return lastRow(lm.logits(new ParameterStore(step, false), x, null, null, false, null));
            }
        }

        @Override
        public void close() {}
    }
}
