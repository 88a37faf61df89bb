package org.loralab.lora.variant.sora;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.variant.LayerAdapter;
import org.loralab.lora.variant.LayerKind;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.ModelScope;
import org.loralab.lora.variant.SharedState;
import org.loralab.lora.variant.Variant;

/**
 * SoRA (not in PEFT; reference TsinghuaC3I/SoRA, spec §16) on Linear, Conv2d and Embedding layers (LoRA's form of
 * each, with the gate between A and B): variant "sora", peft_type "SORA".
 * Options in {@link SoraOptions}; the gate optimizer ({@link SoraGateOptimizer}) runs from the training hooks.
 * Tensors are saved as {@code <path>.lora_A}, {@code .gate}, {@code .lora_B} (the reference's raw-parameter names),
 * without the ranks whose gate is zero.
 */
public final class SoraVariant implements Variant {
    @Override
    public String name() {
        return "sora";
    }

    @Override
    public java.util.Map<String, Object> optionDefaults() {
        return java.util.Map.ofEntries(java.util.Map.entry(SoraOptions.SPARSE_LAMBDA, 1e-3), java.util.Map.entry(SoraOptions.SPARSE_LAMBDA_2, 1e-3), java.util.Map.entry(SoraOptions.SPARSE_LR, 1e-3), java.util.Map.entry(SoraOptions.SPARSE_LR_SCHEDULE, "trainer"), java.util.Map.entry(SoraOptions.THRESHOLD_RULE, "soft"), java.util.Map.entry(SoraOptions.THRESHOLD_TIMES_LR, false), java.util.Map.entry(SoraOptions.MAX_LAMBDA, "= sparse_lambda_2"), java.util.Map.entry(SoraOptions.LAMBDA_NUM, 1L), java.util.Map.entry(SoraOptions.LAMBDA_SCHEDULE, "linear"), java.util.Map.entry(SoraOptions.SURVIVING_RANKS, "none"));
    }

    @Override
    public String peftType() {
        return "SORA";
    }

    @Override
    public Set<LayerKind> supportedKinds() {
        return EnumSet.of(LayerKind.LINEAR, LayerKind.CONV2D, LayerKind.EMBEDDING);
    }

    @Override
    public void validate(AdapterConfig config) {
        SoraOptions.of(config);
        if (config.loraBias() || config.useRslora()) {
            throw new IllegalArgumentException("SoRA does not support lora_bias or use_rslora; remove them");
        }
    }

    @Override
    public SharedState createSharedState(ModelScope scope) {
        return new SoraGateOptimizer(SoraOptions.of(scope.config()));
    }

    @Override
    public LayerAdapter createLayer(LayerSpec spec, SharedState shared) {
        return new SoraLayer(spec, SoraOptions.of(spec.config()));
    }

    @Override
    public void writeConfig(AdapterConfig config, Map<String, Object> json) {
        SoraOptions o = SoraOptions.of(config);
        json.put("peft_type", peftType());
        json.put(SoraOptions.SPARSE_LAMBDA, o.sparseLambda());
        json.put(SoraOptions.SPARSE_LAMBDA_2, o.sparseLambda2());
        json.put(SoraOptions.SPARSE_LR, o.sparseLr());
        json.put(SoraOptions.SPARSE_LR_SCHEDULE, o.sparseLrSchedule());
        json.put(SoraOptions.THRESHOLD_RULE, o.thresholdRule().name().toLowerCase(java.util.Locale.ROOT));
        json.put(SoraOptions.THRESHOLD_TIMES_LR, o.thresholdTimesLr());
        json.put(SoraOptions.MAX_LAMBDA, o.maxLambda());
        json.put(SoraOptions.LAMBDA_NUM, o.lambdaNum());
        json.put(SoraOptions.LAMBDA_SCHEDULE, o.lambdaSchedule());
        json.put(SoraOptions.SURVIVING_RANKS, o.survivingRanks());
    }

    @Override
    public void readConfig(Map<String, Object> json, AdapterConfig.Builder builder) {
        builder.variant(name());
        for (String key : SoraOptions.KEYS) {
            if (json.get(key) != null) {
                builder.option(key, json.get(key));
            }
        }
    }
}
