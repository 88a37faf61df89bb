package org.loralab.lora.variant;

import java.util.List;
import java.util.Map;
import org.loralab.lora.config.AdapterConfig;

/**
 * Model-level state of one adapter of one variant, made once per injection before the layers
 * (VeRA's shared frozen projections, AdaLoRA's rank allocator, DyLoRA's sampled rank). It also
 * carries the variant's {@link TrainingHooks}.
 */
public interface SharedState extends TrainingHooks, AutoCloseable {
    /**
     * Tensors saved at model level, keyed by their full file name without the adapter name
     * (VeRA: "base_model.vera_A", "base_model.vera_B"); empty by default.
     */
    default List<AdapterParam> sharedParameters() {
        return List.of();
    }

    /** Called once after every layer adapter was made, keyed by path (AdaLoRA needs them all). */
    default void layersCreated(Map<String, LayerAdapter> layers) {}

    /**
     * The config to write to adapter_config.json: {@code config} plus what training learned that a
     * loader needs (AdaLoRA's rank_pattern, SoRA's surviving ranks). Default: {@code config} unchanged.
     */
    default AdapterConfig savedConfig(AdapterConfig config) {
        return config;
    }

    @Override
    default void close() {}

    /** Nothing shared. */
    SharedState NONE = new SharedState() {};
}
