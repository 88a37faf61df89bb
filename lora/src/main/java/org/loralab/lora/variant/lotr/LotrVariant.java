package org.loralab.lora.variant.lotr;

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
 * LoTR (spec §18; not in PEFT, follows the reference {@code lotr/lotr.py}): {@code variant("lotr")}.
 * Linear layers get {@code ΔW_l = s · lhsᵀ · G_lᵀ · rhsᵀ}: {@code lhs}/{@code rhs} shared by every
 * adapted Linear of the same shape, a per-layer core G_l ({@code lotr_mid}); parameters
 * {@code r(in + out)} per shape group plus {@code L·r²}. Conv1d, Conv2d and Conv3d layers, grouped or not,
 * get a per-layer Tucker-2 kernel update (one per group) run as three stages without materialising it
 * ({@link TuckerConvLayer}). Option {@code scale} (default 1.0, the
 * reference's default) is the scaling s; lora_alpha is not used. rank_pattern is not supported
 * (the factors are shared, so every layer has rank r).
 */
public final class LotrVariant implements Variant {
    /** Option key: the scaling s. */
    public static final String SCALE = "scale";

    @Override
    public String name() {
        return "lotr";
    }

    @Override
    public java.util.Map<String, Object> optionDefaults() {
        return java.util.Map.ofEntries(java.util.Map.entry(SCALE, 1.0));
    }

    @Override
    public String peftType() {
        return "LOTR";
    }

    @Override
    public Set<LayerKind> supportedKinds() {
        return EnumSet.of(LayerKind.LINEAR, LayerKind.CONV1D, LayerKind.CONV2D, LayerKind.CONV3D);
    }

    @Override
    public void validate(AdapterConfig config) {
        if (!config.rankPattern().isEmpty()) {
            throw new IllegalArgumentException("LoTR shares its factors across layers, so every layer has rank r; "
                    + "remove rank_pattern");
        }
        String init = config.init().family();
        if (!init.equals("true") && !init.equals("false")) {
            throw new IllegalArgumentException("LoTR init must be true (zero cores) or false (random cores), got '"
                    + init + "'");
        }
    }

    @Override
    public SharedState createSharedState(ModelScope scope) {
        return new LotrSharedFactors(scope);
    }

    @Override
    public LayerAdapter createLayer(LayerSpec spec, SharedState shared) {
        if (spec.base().kind().isConv()) {
            return TuckerConvLayer.create(spec);
        }
        return LotrLinearLayer.create(spec, (LotrSharedFactors) shared);
    }

    @Override
    public void writeConfig(AdapterConfig config, Map<String, Object> json) {
        json.put(SCALE, config.optionDouble(SCALE, 1.0));
    }

    @Override
    public void readConfig(Map<String, Object> json, AdapterConfig.Builder builder) {
        if (json.get(SCALE) instanceof Number) {
            builder.option(SCALE, ((Number) json.get(SCALE)).doubleValue());
        }
    }
}
