package org.loralab.lora.variant.adalora;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.loralab.lora.config.AdapterConfig;

/**
 * AdaLoRA's options ({@code AdaLoraConfig}, spec §10.6) read from {@link AdapterConfig#options()} under PEFT's keys,
 * with PEFT's defaults and checks.
 *
 * <pre>{@code
 * AdapterConfig cfg = AdapterConfig.builder().variant("adalora").alpha(8).targetModules("query", "value")
 *         .option("init_r", 12).option("target_r", 4).option("total_step", 1000)
 *         .option("tinit", 100).option("tfinal", 200).option("deltaT", 10).build();
 * }</pre>
 *
 * @param targetR average rank per matrix at the end ({@code target_r}, default 8)
 * @param initR starting rank of every matrix ({@code init_r}, default 12); {@code r} is ignored
 * @param tinit steps of warm-up without pruning ({@code tinit}, default 0)
 * @param tfinal steps at the end with the final pattern fixed ({@code tfinal}, default 0)
 * @param deltaT masking interval during the cubic phase ({@code deltaT}, default 1)
 * @param beta1 EMA coefficient of the sensitivity ({@code beta1}, default 0.85)
 * @param beta2 EMA coefficient of the uncertainty ({@code beta2}, default 0.85)
 * @param orthRegWeight weight of the orthogonal regulariser ({@code orth_reg_weight}, default 0.5)
 * @param totalStep planned training steps ({@code total_step}, required)
 * @param rankPattern the kept ranks per layer, keyed {@code "<path>.lora_E"}; empty when never masked
 */
public record AdaLoraOptions(int targetR, int initR, long tinit, long tfinal, long deltaT, double beta1, double beta2,
        double orthRegWeight, long totalStep, Map<String, boolean[]> rankPattern) {

    public static final String TARGET_R = "target_r";
    public static final String INIT_R = "init_r";
    public static final String TINIT = "tinit";
    public static final String TFINAL = "tfinal";
    public static final String DELTA_T = "deltaT";
    public static final String BETA1 = "beta1";
    public static final String BETA2 = "beta2";
    public static final String ORTH_REG_WEIGHT = "orth_reg_weight";
    public static final String TOTAL_STEP = "total_step";
    public static final String RANK_PATTERN = "rank_pattern";

    /** Every key this variant reads and writes, besides the common LoRA ones. */
    public static final String[] KEYS = {TARGET_R, INIT_R, TINIT, TFINAL, DELTA_T, BETA1, BETA2, ORTH_REG_WEIGHT,
        TOTAL_STEP, RANK_PATTERN};

    /** Reads and validates; throws IllegalArgumentException saying which option to change. */
    public static AdaLoraOptions of(AdapterConfig c) {
        Object ts = c.options().get(TOTAL_STEP);
        if (ts == null) {
            throw new IllegalArgumentException("AdaLoRA needs total_step (the number of training steps), e.g. "
                    + ".option(\"total_step\", 1000)");
        }
        AdaLoraOptions o = new AdaLoraOptions((int) c.optionLong(TARGET_R, 8), (int) c.optionLong(INIT_R, 12),
                c.optionLong(TINIT, 0), c.optionLong(TFINAL, 0), c.optionLong(DELTA_T, 1),
                c.optionDouble(BETA1, 0.85), c.optionDouble(BETA2, 0.85), c.optionDouble(ORTH_REG_WEIGHT, 0.5),
                c.optionLong(TOTAL_STEP, 0), parsePattern(c.options().get(RANK_PATTERN)));
        o.check();
        return o;
    }

    private void check() {
        if (totalStep <= 0) {
            throw new IllegalArgumentException("AdaLoRA total_step must be > 0, got " + totalStep);
        }
        if (initR <= 0 || targetR < 0) {
            throw new IllegalArgumentException("AdaLoRA needs init_r > 0 and target_r >= 0, got init_r=" + initR
                    + ", target_r=" + targetR);
        }
        if (targetR > initR) {
            throw new IllegalArgumentException("AdaLoRA target_r (" + targetR + ") must not exceed init_r (" + initR
                    + "): the budget only shrinks");
        }
        if (tinit < 0 || tfinal < 0 || tinit >= totalStep - tfinal) {
            throw new IllegalArgumentException("AdaLoRA needs 0 <= tinit < total_step - tfinal so that the budget "
                    + "phase is non-empty; got tinit=" + tinit + ", tfinal=" + tfinal + ", total_step=" + totalStep);
        }
        if (deltaT <= 0) {
            throw new IllegalArgumentException("AdaLoRA deltaT must be > 0, got " + deltaT);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("AdaLoRA beta1/beta2 must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(orthRegWeight >= 0)) {
            throw new IllegalArgumentException("orth_reg_weight should be >= 0, got " + orthRegWeight);
        }
        for (Map.Entry<String, boolean[]> e : rankPattern.entrySet()) {
            if (e.getValue().length != initR) {
                throw new IllegalArgumentException("AdaLoRA rank_pattern '" + e.getKey() + "' has " + e.getValue().length
                        + " entries but init_r is " + initR);
            }
        }
    }

    /** The rank_pattern key of the layer at {@code path}. */
    public static String patternKey(String path) {
        return path + ".lora_E";
    }

    /** rank_pattern from JSON / options: name to list of booleans (PEFT), or already boolean[]. */
    static Map<String, boolean[]> parsePattern(Object v) {
        Map<String, boolean[]> out = new LinkedHashMap<>();
        if (v == null) {
            return out;
        }
        if (!(v instanceof Map)) {
            throw new IllegalArgumentException("AdaLoRA rank_pattern must map layer names to lists of booleans, got " + v);
        }
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
            Object val = e.getValue();
            boolean[] mask;
            if (val instanceof boolean[]) {
                mask = ((boolean[]) val).clone();
            } else if (val instanceof List) {
                List<?> l = (List<?>) val;
                mask = new boolean[l.size()];
                for (int i = 0; i < mask.length; i++) {
                    Object b = l.get(i);
                    if (!(b instanceof Boolean)) {
                        throw new IllegalArgumentException("AdaLoRA rank_pattern '" + e.getKey()
                                + "' must hold booleans, found " + b);
                    }
                    mask[i] = (Boolean) b;
                }
            } else {
                throw new IllegalArgumentException("AdaLoRA rank_pattern '" + e.getKey()
                        + "' must be a list of booleans, got " + val);
            }
            out.put(e.getKey().toString(), mask);
        }
        return out;
    }

    /** rank_pattern as JSON-friendly lists. */
    static Map<String, List<Boolean>> toJson(Map<String, boolean[]> pattern) {
        Map<String, List<Boolean>> out = new LinkedHashMap<>();
        for (Map.Entry<String, boolean[]> e : pattern.entrySet()) {
            List<Boolean> l = new ArrayList<>();
            for (boolean b : e.getValue()) {
                l.add(b);
            }
            out.put(e.getKey(), l);
        }
        return out;
    }
}
