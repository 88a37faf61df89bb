package org.loralab.lora.variant;

import java.util.Map;
import java.util.Set;
import org.loralab.lora.config.AdapterConfig;

/**
 * A PEFT method (LoRA, DoRA, VeRA, AdaLoRA, ...), the one interface a {@code variant/<name>} folder
 * implements. Variants are found by {@link VariantRegistry} (built-ins plus
 * {@code META-INF/services/org.loralab.lora.variant.Variant}). The injector never knows which variant
 * it runs: it asks {@link #supports}, then {@link #createSharedState} once per injection, then
 * {@link #createLayer} per matched layer.
 */
public interface Variant {
    /** Lower-case name used in {@link AdapterConfig#variant()}: "lora", "dora", "vera". */
    String name();

    /** PEFT's {@code peft_type} written to adapter_config.json: "LORA", "VERA", "ADALORA". */
    String peftType();

    /** The base kinds it can wrap. Matched modules of other kinds are reported and skipped. */
    Set<LayerKind> supportedKinds();

    /**
     * The variant's own option keys (PEFT's names, as in {@link AdapterConfig#options()}) with their defaults, in
     * display order; a default that depends on other settings is a String saying so (e.g. "= r"). Used by tools
     * (the notebook magics) to list and check options. Default: none.
     */
    default Map<String, Object> optionDefaults() {
        return Map.of();
    }

    /** Checks variant-specific options; throws IllegalArgumentException with what to change. */
    default void validate(AdapterConfig config) {}

    /**
     * Called when training is about to start ({@code AdaptedModel.hooks()}) with this variant's active adapters, which
     * are the trainable ones; throws IllegalStateException with what to do when they cannot train together (AdaLoRA:
     * one trainable adapter per model, as in PEFT). Default: any number.
     */
    default void checkTrainable(java.util.List<String> activeAdapters) {}

    /** Makes the model-level state (shared tensors, allocators). Default: nothing shared. */
    default SharedState createSharedState(ModelScope scope) {
        return SharedState.NONE;
    }

    /**
     * Makes the adapter of one layer: creates its parameters under {@code spec.base().manager()},
     * initialises them (an init may rewrite the base weight through
     * {@link BaseLayer#setWeightMatrix}), and returns it unmerged.
     */
    LayerAdapter createLayer(LayerSpec spec, SharedState shared);

    /**
     * Adds the variant's own keys to the adapter_config.json map (the common PEFT LoRA keys are
     * written by the io package). Default: nothing.
     */
    default void writeConfig(AdapterConfig config, Map<String, Object> json) {}

    /** Reads the variant's own keys from an adapter_config.json map into the builder. */
    default void readConfig(Map<String, Object> json, AdapterConfig.Builder builder) {}

    /** Whether an adapter_config.json map describes this variant (default: peft_type equals). */
    default boolean accepts(Map<String, Object> json) {
        return peftType().equals(json.get("peft_type"));
    }
}
