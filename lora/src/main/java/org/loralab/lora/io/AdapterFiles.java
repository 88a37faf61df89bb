package org.loralab.lora.io;

import java.nio.file.Path;
import org.loralab.lora.inject.AdaptedModel;

/**
 * PEFT adapter files: {@code adapter_config.json} (Gson; unknown keys ignored, missing defaulted)
 * and {@code adapter_model.safetensors} (PEFT tensor names, {@code base_model.model.<path>.<key>}),
 * both written atomically (temp file + rename).
 */
public final class AdapterFiles {
    /** PEFT's config file name. */
    public static final String CONFIG = "adapter_config.json";
    /** PEFT's weights file name. */
    public static final String WEIGHTS = "adapter_model.safetensors";

    private AdapterFiles() {}

    /** Saves {@code adapterName} of {@code model} into {@code dir} (created if needed). */
    public static void save(AdaptedModel model, String adapterName, Path dir) {
        model.save(dir, adapterName);
    }

    /** Loads a PEFT adapter directory into {@code model} as {@code adapterName}. */
    public static void load(AdaptedModel model, Path dir, String adapterName) {
        model.load(dir, adapterName);
    }
}
