package org.loralab.lora.variant.lycoris;

import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.variant.LayerKind;
import org.loralab.lora.variant.Variant;

/**
 * What LoHa and LoKr share as PEFT LyCORIS tuners: Linear, Conv1d and Conv2d layers, and an options map (key to
 * default) that is both what {@code %lab help} shows and what adapter_config.json writes and reads.
 */
public abstract class LycorisVariant implements Variant {
    private final Map<String, Object> options;

    /** {@code options}: the variant's keys with their defaults, in file order (copied). */
    protected LycorisVariant(Map<String, Object> options) {
        this.options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    @Override
    public Map<String, Object> optionDefaults() {
        return options;
    }

    @Override
    public Set<LayerKind> supportedKinds() {
        return EnumSet.of(LayerKind.LINEAR, LayerKind.CONV1D, LayerKind.CONV2D);
    }

    @Override
    public void writeConfig(AdapterConfig config, Map<String, Object> json) {
        LycorisConfig.write(config, json, options);
    }

    @Override
    public void readConfig(Map<String, Object> json, AdapterConfig.Builder builder) {
        LycorisConfig.read(json, builder, options.keySet());
    }
}
