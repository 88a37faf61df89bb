package org.loralab.lora.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An adapter configuration in PEFT's vocabulary ({@code LoraConfig} and friends), immutable, made
 * with {@link #builder()} in DJL's builder style.
 *
 * <pre>{@code
 * AdapterConfig cfg = AdapterConfig.builder()
 *         .r(16).alpha(16)
 *         .targetModules("query", "value")
 *         .dropout(0.1)
 *         .modulesToSave("classifier")
 *         .build();
 * }</pre>
 *
 * <p>Defaults are PEFT's (spec §2.7): r=8, alpha=8, dropout 0, bias none, init true, no rsLoRA.
 * {@link #variant()} picks the method ("lora", "dora", "vera", ...); options a variant needs beyond
 * the common fields go in {@link #options()} under PEFT's key names (e.g. "d_initial",
 * "projection_prng_key"), so they round-trip through adapter_config.json.
 */
public final class AdapterConfig {
    private final String variant;
    private final int r;
    private final double alpha;
    private final TargetModules targetModules;
    private final TargetModules excludeModules;
    private final double dropout;
    private final Bias bias;
    private final List<String> modulesToSave;
    private final Map<String, Integer> rankPattern;
    private final Map<String, Double> alphaPattern;
    private final boolean useRslora;
    private final LoraInit init;
    private final boolean loraBias;
    private final List<Integer> layersToTransform;
    private final String layersPattern;
    private final Long seed;
    private final String baseModelName;
    private final Map<String, Object> options;

    private AdapterConfig(Builder b) {
        variant = b.variant;
        r = b.r;
        alpha = b.alpha;
        targetModules = b.targetModules;
        excludeModules = b.excludeModules;
        dropout = b.dropout;
        bias = b.bias;
        modulesToSave = List.copyOf(b.modulesToSave);
        rankPattern = Collections.unmodifiableMap(new LinkedHashMap<>(b.rankPattern));
        alphaPattern = Collections.unmodifiableMap(new LinkedHashMap<>(b.alphaPattern));
        useRslora = b.useRslora;
        init = b.init;
        loraBias = b.loraBias;
        layersToTransform = b.layersToTransform == null ? null : List.copyOf(b.layersToTransform);
        layersPattern = b.layersPattern;
        seed = b.seed;
        baseModelName = b.baseModelName;
        options = Collections.unmodifiableMap(new LinkedHashMap<>(b.options));
    }

    /** A builder with PEFT's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder pre-filled with this config's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.variant = variant;
        b.r = r;
        b.alpha = alpha;
        b.targetModules = targetModules;
        b.excludeModules = excludeModules;
        b.dropout = dropout;
        b.bias = bias;
        b.modulesToSave.addAll(modulesToSave);
        b.rankPattern.putAll(rankPattern);
        b.alphaPattern.putAll(alphaPattern);
        b.useRslora = useRslora;
        b.init = init;
        b.loraBias = loraBias;
        b.layersToTransform = layersToTransform;
        b.layersPattern = layersPattern;
        b.seed = seed;
        b.baseModelName = baseModelName;
        b.options.putAll(options);
        return b;
    }

    /** The method: "lora" (default), "dora", "vera", ... (see VariantRegistry). */
    public String variant() {
        return variant;
    }

    /** The default rank ({@code r}). */
    public int r() {
        return r;
    }

    /** The default {@code lora_alpha} (PEFT default 8, whatever r is). */
    public double alpha() {
        return alpha;
    }

    /** Which modules get adapters; null means "not given" (an error at injection: no per-model defaults). */
    public TargetModules targetModules() {
        return targetModules;
    }

    /** Which modules never get adapters; null for none. */
    public TargetModules excludeModules() {
        return excludeModules;
    }

    /** {@code lora_dropout}: dropout on the adapter input (inverted dropout, training only). */
    public double dropout() {
        return dropout;
    }

    /** {@code bias}: which base biases train. */
    public Bias bias() {
        return bias;
    }

    /** {@code modules_to_save}: modules copied, trained in full and saved in the adapter file. */
    public List<String> modulesToSave() {
        return modulesToSave;
    }

    /** {@code rank_pattern}: regex key (matched as {@code (.*\.)?(key)$}) to rank, first match wins. */
    public Map<String, Integer> rankPattern() {
        return rankPattern;
    }

    /** {@code alpha_pattern}: regex key to alpha, first match wins. */
    public Map<String, Double> alphaPattern() {
        return alphaPattern;
    }

    /** {@code use_rslora}: scaling alpha/sqrt(r) instead of alpha/r. */
    public boolean useRslora() {
        return useRslora;
    }

    /** {@code init_lora_weights}. */
    public LoraInit init() {
        return init;
    }

    /** {@code lora_bias}: lora_B gets a bias (zero at init, scaled by s). */
    public boolean loraBias() {
        return loraBias;
    }

    /** {@code layers_to_transform} (null: all layers). Only used with a list of target modules. */
    public List<Integer> layersToTransform() {
        return layersToTransform;
    }

    /** {@code layers_pattern} (null: first {@code .<name>.<digits>.} in the path). */
    public String layersPattern() {
        return layersPattern;
    }

    /** Seed for the random inits (not a PEFT field; null: a fresh random seed per injection). */
    public Long seed() {
        return seed;
    }

    /** {@code base_model_name_or_path}, written into adapter_config.json (may be null). */
    public String baseModelName() {
        return baseModelName;
    }

    /** Variant options under PEFT's key names (e.g. "d_initial", "projection_prng_key", "save_projection"). */
    public Map<String, Object> options() {
        return options;
    }

    /** A variant option as a number, or the default when absent. */
    public double optionDouble(String key, double def) {
        Object v = options.get(key);
        return v instanceof Number ? ((Number) v).doubleValue() : v == null ? def : Double.parseDouble(v.toString());
    }

    /** A variant option as a long, or the default when absent. */
    public long optionLong(String key, long def) {
        Object v = options.get(key);
        return v instanceof Number ? ((Number) v).longValue() : v == null ? def : Long.parseLong(v.toString());
    }

    /** A variant option as a boolean, or the default when absent. */
    public boolean optionBoolean(String key, boolean def) {
        Object v = options.get(key);
        return v instanceof Boolean ? (Boolean) v : v == null ? def : Boolean.parseBoolean(v.toString());
    }

    /** The rank of the module at {@code path}, after {@code rank_pattern}. */
    public int rankFor(String path) {
        String key = TargetMatcher.patternKey(rankPattern.keySet(), path);
        return key == null ? r : rankPattern.get(key);
    }

    /** The alpha of the module at {@code path}, after {@code alpha_pattern}. */
    public double alphaFor(String path) {
        String key = TargetMatcher.patternKey(alphaPattern.keySet(), path);
        return key == null ? alpha : alphaPattern.get(key);
    }

    /** PEFT's LoRA scaling for the module at {@code path}: alpha/r, or alpha/sqrt(r) with rsLoRA. */
    public double scalingFor(String path) {
        return scaling(alphaFor(path), rankFor(path), useRslora);
    }

    /** alpha/r, or alpha/sqrt(r) with rsLoRA. */
    public static double scaling(double alpha, int r, boolean rslora) {
        return rslora ? alpha / Math.sqrt(r) : alpha / r;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof AdapterConfig)) {
            return false;
        }
        AdapterConfig c = (AdapterConfig) o;
        return variant.equals(c.variant) && r == c.r && Double.compare(alpha, c.alpha) == 0
                && Objects.equals(targetModules, c.targetModules)
                && Objects.equals(excludeModules, c.excludeModules)
                && Double.compare(dropout, c.dropout) == 0 && bias == c.bias
                && modulesToSave.equals(c.modulesToSave) && rankPattern.equals(c.rankPattern)
                && alphaPattern.equals(c.alphaPattern) && useRslora == c.useRslora
                && init.equals(c.init) && loraBias == c.loraBias
                && Objects.equals(layersToTransform, c.layersToTransform)
                && Objects.equals(layersPattern, c.layersPattern)
                && Objects.equals(baseModelName, c.baseModelName) && options.equals(c.options);
    }

    @Override
    public int hashCode() {
        return Objects.hash(variant, r, alpha, targetModules, dropout, bias, init);
    }

    @Override
    public String toString() {
        return "AdapterConfig{variant=" + variant + ", r=" + r + ", alpha=" + alpha
                + ", targetModules=" + targetModules + ", excludeModules=" + excludeModules
                + ", dropout=" + dropout + ", bias=" + bias.peftName() + ", modulesToSave=" + modulesToSave
                + ", rankPattern=" + rankPattern + ", alphaPattern=" + alphaPattern
                + ", useRslora=" + useRslora + ", init=" + init + ", loraBias=" + loraBias
                + (options.isEmpty() ? "" : ", options=" + options) + "}";
    }

    /** Builder with PEFT's defaults; {@link #build()} validates. */
    public static final class Builder {
        private String variant = "lora";
        private int r = 8;
        private double alpha = 8;
        private TargetModules targetModules;
        private TargetModules excludeModules;
        private double dropout;
        private Bias bias = Bias.NONE;
        private final java.util.ArrayList<String> modulesToSave = new java.util.ArrayList<>();
        private final Map<String, Integer> rankPattern = new LinkedHashMap<>();
        private final Map<String, Double> alphaPattern = new LinkedHashMap<>();
        private boolean useRslora;
        private LoraInit init = LoraInit.KAIMING;
        private boolean loraBias;
        private List<Integer> layersToTransform;
        private String layersPattern;
        private Long seed;
        private String baseModelName;
        private final Map<String, Object> options = new LinkedHashMap<>();

        private Builder() {}

        /** The method name, e.g. "lora", "dora", "vera". */
        public Builder variant(String variant) {
            this.variant = Objects.requireNonNull(variant, "variant").toLowerCase(java.util.Locale.ROOT);
            return this;
        }

        /** Shortcut for PEFT's {@code use_dora}: variant "dora" (true) or "lora" (false). */
        public Builder useDora(boolean useDora) {
            return variant(useDora ? "dora" : "lora");
        }

        /** Rank r (> 0). */
        public Builder r(int r) {
            this.r = r;
            return this;
        }

        /** {@code lora_alpha} (default 8, as in PEFT; scaling is alpha/r). */
        public Builder alpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        /** Targets by name: exact dotted path or {@code .name} suffix. */
        public Builder targetModules(String... names) {
            this.targetModules = TargetModules.of(names);
            return this;
        }

        /** Targets by name list. */
        public Builder targetModules(List<String> names) {
            this.targetModules = TargetModules.of(names);
            return this;
        }

        /** Targets by a selector (list, regex, or {@link TargetModules#ALL_LINEAR}). */
        public Builder targetModules(TargetModules targets) {
            this.targetModules = targets;
            return this;
        }

        /** Targets by one regex matched against the whole dotted path ("all-linear" allowed). */
        public Builder targetModulesRegex(String regex) {
            this.targetModules = TargetModules.regex(regex);
            return this;
        }

        /** Exclusions by name (exact or suffix). */
        public Builder excludeModules(String... names) {
            this.excludeModules = TargetModules.of(names);
            return this;
        }

        /** Exclusions by a selector. */
        public Builder excludeModules(TargetModules excludes) {
            this.excludeModules = excludes;
            return this;
        }

        /** Exclusions by one full-match regex. */
        public Builder excludeModulesRegex(String regex) {
            this.excludeModules = TargetModules.regex(regex);
            return this;
        }

        /** {@code lora_dropout} in [0, 1). */
        public Builder dropout(double p) {
            this.dropout = p;
            return this;
        }

        /** {@code bias}. */
        public Builder bias(Bias bias) {
            this.bias = Objects.requireNonNull(bias, "bias");
            return this;
        }

        /** {@code bias} by PEFT spelling. */
        public Builder bias(String bias) {
            return bias(Bias.parse(bias));
        }

        /** {@code modules_to_save} (replaces earlier values). */
        public Builder modulesToSave(String... names) {
            return modulesToSave(List.of(names));
        }

        /** {@code modules_to_save} (replaces earlier values). */
        public Builder modulesToSave(List<String> names) {
            modulesToSave.clear();
            modulesToSave.addAll(names);
            return this;
        }

        /** Adds one {@code rank_pattern} entry (insertion order = match order). */
        public Builder rankPattern(String key, int rank) {
            rankPattern.put(key, rank);
            return this;
        }

        /** Replaces {@code rank_pattern}. */
        public Builder rankPattern(Map<String, Integer> pattern) {
            rankPattern.clear();
            rankPattern.putAll(pattern);
            return this;
        }

        /** Adds one {@code alpha_pattern} entry. */
        public Builder alphaPattern(String key, double alpha) {
            alphaPattern.put(key, alpha);
            return this;
        }

        /** Replaces {@code alpha_pattern}. */
        public Builder alphaPattern(Map<String, Double> pattern) {
            alphaPattern.clear();
            alphaPattern.putAll(pattern);
            return this;
        }

        /** {@code use_rslora}. */
        public Builder useRslora(boolean on) {
            this.useRslora = on;
            return this;
        }

        /** {@code init_lora_weights}. */
        public Builder init(LoraInit init) {
            this.init = Objects.requireNonNull(init, "init");
            return this;
        }

        /** {@code init_lora_weights} by PEFT value: "true", "false", "gaussian", "pissa", "pissa_niter_16", "olora". */
        public Builder init(String init) {
            return init(LoraInit.parse(init));
        }

        /** {@code init_lora_weights} as a boolean. */
        public Builder init(boolean init) {
            return init(init ? LoraInit.KAIMING : LoraInit.NONE);
        }

        /** {@code lora_bias}. */
        public Builder loraBias(boolean on) {
            this.loraBias = on;
            return this;
        }

        /** {@code layers_to_transform}. */
        public Builder layersToTransform(List<Integer> layers) {
            this.layersToTransform = layers;
            return this;
        }

        /** {@code layers_pattern}. */
        public Builder layersPattern(String pattern) {
            this.layersPattern = pattern;
            return this;
        }

        /** Seed for random inits (reproducible adapters). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** {@code base_model_name_or_path}. */
        public Builder baseModelName(String name) {
            this.baseModelName = name;
            return this;
        }

        /** One variant option under its PEFT key (e.g. "d_initial" for VeRA). */
        public Builder option(String key, Object value) {
            options.put(Objects.requireNonNull(key, "key"), value);
            return this;
        }

        /** Validates and builds. */
        public AdapterConfig build() {
            if (r <= 0) {
                throw new IllegalArgumentException("r must be > 0, got " + r);
            }
            if (!(alpha > 0) && !variant.equals("vera") || Double.isInfinite(alpha) || Double.isNaN(alpha)) {
                throw new IllegalArgumentException("alpha must be a finite number > 0, got " + alpha);
            }
            if (!(dropout >= 0 && dropout < 1)) {
                throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
            }
            for (Map.Entry<String, Integer> e : rankPattern.entrySet()) {
                if (e.getValue() == null || e.getValue() <= 0) {
                    throw new IllegalArgumentException("rank_pattern '" + e.getKey() + "' must map to a rank > 0");
                }
            }
            if (loraBias && !(init.equals(LoraInit.KAIMING) || init.equals(LoraInit.NONE))) {
                throw new IllegalArgumentException("lora_bias needs init true or false, got " + init);
            }
            return new AdapterConfig(this);
        }
    }
}
