package org.loralab.lora.hf;

import java.util.List;
import org.loralab.lora.io.safetensors.TensorSource;

/**
 * One family of Hugging Face architectures that LoRA Lab can build and load. Implementations are found with
 * {@link java.util.ServiceLoader} ({@code META-INF/services/org.loralab.lora.hf.ModelFamily}).
 */
public interface ModelFamily {
    /** Short name, e.g. "vit", "llama". */
    String name();

    /** The {@code architectures} values this family builds, e.g. "ViTForImageClassification". */
    List<String> architectures();

    /** Whether this family builds the model of {@code config} (by {@code architectures} / {@code model_type}). */
    boolean supports(HfConfig config);

    /**
     * Validates the config (a field that changes the math and is not supported is refused with its name), builds
     * the model with the checkpoint's module paths, loads {@code weights} into it, or throws with nothing left open.
     */
    HfModel load(HfConfig config, TensorSource weights, LoadOptions options);
}
