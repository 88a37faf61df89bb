package org.loralab.lora.io;

/**
 * Tensor names in PEFT's adapter files that have two spellings. PEFT saves the bias of a layer that holds an adapter
 * under its wrapper's {@code base_layer} ({@code base_model.model.<path>.base_layer.bias}); files written by older
 * versions of this library used {@code <path>.bias}. Both are accepted on load.
 */
public final class PeftKeys {
    /** The prefix of every key in an adapter file of a PEFT model. */
    public static final String PREFIX = "base_model.model.";
    /** The suffix of a wrapped layer's bias. */
    public static final String BASE_LAYER_BIAS = ".base_layer.bias";

    private PeftKeys() {}

    /** The other spelling of a base bias key ({@code x.base_layer.bias <-> x.bias}), or null when there is none. */
    public static String otherBiasSpelling(String key) {
        if (key.endsWith(BASE_LAYER_BIAS)) {
            return key.substring(0, key.length() - BASE_LAYER_BIAS.length()) + ".bias";
        }
        if (key.endsWith(".bias")) {
            return key.substring(0, key.length() - ".bias".length()) + BASE_LAYER_BIAS;
        }
        return null;
    }
}
