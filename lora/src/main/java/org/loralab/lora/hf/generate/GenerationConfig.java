package org.loralab.lora.hf.generate;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * How to generate, with transformers' defaults and meaning: greedy unless {@code doSample}; sampling applies
 * temperature, then top-k, then top-p; {@code topK = 0} and {@code topP = 1} switch those filters off. Immutable;
 * {@link #toBuilder()} derives a changed copy. {@link GenerationDefaults} reads a model directory's values.
 */
public final class GenerationConfig {
    private final int maxNewTokens;
    private final boolean doSample;
    private final double temperature;
    private final int topK;
    private final double topP;
    private final Long seed;
    private final Set<Long> stopTokens;
    private final boolean useCache;

    private GenerationConfig(Builder b) {
        maxNewTokens = b.maxNewTokens;
        doSample = b.doSample;
        temperature = b.temperature;
        topK = b.topK;
        topP = b.topP;
        seed = b.seed;
        stopTokens = Set.copyOf(b.stopTokens);
        useCache = b.useCache;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Greedy, 20 new tokens (transformers' default length), no stop tokens. */
    public static GenerationConfig greedy() {
        return builder().build();
    }

    public int maxNewTokens() {
        return maxNewTokens;
    }

    public boolean doSample() {
        return doSample;
    }

    public double temperature() {
        return temperature;
    }

    public int topK() {
        return topK;
    }

    public double topP() {
        return topP;
    }

    /** The sampling seed, or null: a fresh one per call (reported in {@link Generation#seed()}). */
    public Long seed() {
        return seed;
    }

    /** Token ids that end generation (eos); the stop token itself is part of the result. */
    public Set<Long> stopTokens() {
        return stopTokens;
    }

    /** Whether to keep keys and values between steps (transformers' {@code use_cache}); same tokens either way. */
    public boolean useCache() {
        return useCache;
    }

    public Builder toBuilder() {
        return builder().maxNewTokens(maxNewTokens).doSample(doSample).temperature(temperature).topK(topK).topP(topP)
                .seed(seed).stopTokens(stopTokens).useCache(useCache);
    }

    @Override
    public String toString() {
        return "GenerationConfig{maxNewTokens=" + maxNewTokens + (doSample ? ", sample, temperature=" + temperature
                + ", topK=" + topK + ", topP=" + topP + ", seed=" + seed : ", greedy") + ", stopTokens=" + stopTokens
                + (useCache ? "" : ", no cache") + "}";
    }

    public static final class Builder {
        private int maxNewTokens = 20;
        private boolean doSample;
        private double temperature = 1.0;
        private int topK = 50;
        private double topP = 1.0;
        private Long seed;
        private final Set<Long> stopTokens = new LinkedHashSet<>();
        private boolean useCache = true;

        private Builder() {}

        public Builder maxNewTokens(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxNewTokens must be >= 1 (got " + n + ")");
            }
            maxNewTokens = n;
            return this;
        }

        public Builder doSample(boolean sample) {
            doSample = sample;
            return this;
        }

        /** Divides the logits before sampling; must be > 0 (for greedy, use doSample(false)). */
        public Builder temperature(double t) {
            if (!(t > 0) || Double.isInfinite(t)) {
                throw new IllegalArgumentException("temperature must be a finite number > 0 (got " + t
                        + "); for greedy decoding use doSample(false)");
            }
            temperature = t;
            return this;
        }

        /** Keeps the k most likely tokens (ties with the k-th kept too); 0 keeps all. */
        public Builder topK(int k) {
            if (k < 0) {
                throw new IllegalArgumentException("topK must be >= 0 (0 = off), got " + k);
            }
            topK = k;
            return this;
        }

        /** Keeps the smallest set of most likely tokens whose probabilities sum to >= p (at least one); 1 = off. */
        public Builder topP(double p) {
            if (!(p > 0 && p <= 1)) {
                throw new IllegalArgumentException("topP must be in (0, 1] (1 = off), got " + p);
            }
            topP = p;
            return this;
        }

        public Builder seed(Long s) {
            seed = s;
            return this;
        }

        public Builder seed(long s) {
            seed = s;
            return this;
        }

        /** Replaces the stop tokens. */
        public Builder stopTokens(Collection<Long> ids) {
            stopTokens.clear();
            stopTokens.addAll(ids);
            return this;
        }

        public Builder stopTokens(long... ids) {
            stopTokens.clear();
            for (long id : ids) {
                stopTokens.add(id);
            }
            return this;
        }

        public Builder useCache(boolean cache) {
            useCache = cache;
            return this;
        }

        public GenerationConfig build() {
            return new GenerationConfig(this);
        }
    }
}
