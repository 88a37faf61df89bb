package org.loralab.lora.variant;

import ai.djl.nn.Parameter;

/**
 * One tensor an adapter owns.
 *
 * @param key the name PEFT uses in adapter_model.safetensors after the module path, with the
 *     adapter name removed: "lora_A.weight", "lora_B.bias", "lora_embedding_A",
 *     "lora_magnitude_vector", "vera_lambda_b"
 * @param parameter the DJL parameter (its array is the live value)
 * @param role what it is, for optimizer groups
 * @param trainable whether it trains (false for frozen factors such as MiCA's B or shared buffers)
 */
public record AdapterParam(String key, Parameter parameter, ParamRole role, boolean trainable) {

    /**
     * The name PEFT uses in memory ({@code state_dict}) for this tensor under adapter {@code adapter}:
     * "lora_A.default.weight" for module keys, "lora_embedding_A.default" for raw parameters,
     * "lora_magnitude_vector.default.weight" for DoRA.
     */
    public String inMemoryKey(String adapter) {
        if ("lora_magnitude_vector".equals(key)) {
            return key + "." + adapter + ".weight";
        }
        int dot = key.lastIndexOf('.');
        return dot < 0 ? key + "." + adapter : key.substring(0, dot) + "." + adapter + key.substring(dot);
    }

    /** Number of scalars. */
    public long size() {
        return parameter.getArray().size();
    }
}
