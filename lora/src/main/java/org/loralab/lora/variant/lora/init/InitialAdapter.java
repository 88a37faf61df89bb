package org.loralab.lora.variant.lora.init;

import ai.djl.ndarray.NDArray;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.lora.Matrices;

/**
 * PiSSA/OLoRA adapters change the base weight, so a trained adapter only fits the residual model. This is PEFT's
 * {@code path_initial_model_for_weight_conversion} workflow in two calls: {@link #capture} the adapter right after
 * injection (before training), then {@link #saveAsLora} after training writes a plain LoRA adapter of rank 2r that
 * fits the ORIGINAL weights (spec §6 option b; maths in {@link ConvertToLora}).
 *
 * <pre>{@code
 * AdaptedModel m = AdaptedModel.inject(block, config.toBuilder().init("pissa").build());
 * InitialAdapter init = InitialAdapter.capture(m, "default");
 * ... train ...
 * init.saveAsLora(m, "default", dir);   // loads onto the unmodified base model as a plain LoRA
 * }</pre>
 */
public final class InitialAdapter {
    private final Map<String, float[][]> tensors;

    private InitialAdapter(Map<String, float[][]> tensors) {
        this.tensors = tensors;
    }

    /** Copies the adapter's lora_A / lora_B values now (file names as keys). */
    public static InitialAdapter capture(AdaptedModel model, String adapterName) {
        Map<String, float[][]> out = new LinkedHashMap<>();
        for (Map.Entry<String, AdapterParam> e : model.adapterTensors(adapterName).entrySet()) {
            if (isFactor(e.getKey())) {
                out.put(e.getKey(), Matrices.read(e.getValue().parameter().getArray()));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("adapter '" + adapterName + "' has no lora_A/lora_B tensors to capture");
        }
        return new InitialAdapter(out);
    }

    private static boolean isFactor(String key) {
        return key.endsWith(".lora_A.weight") || key.endsWith(".lora_B.weight");
    }

    /**
     * Writes adapter {@code adapterName} of {@code model} (trained from the captured state) into {@code dir} as a
     * plain LoRA for the original weights: A' = [A; A0], B' = [B, -B0], r' = 2r, alpha' = 2 alpha (√2 alpha with
     * rsLoRA), init true. Other tensors (modules_to_save copies, trained biases) are written unchanged. The model
     * is left as it was.
     */
    public void saveAsLora(AdaptedModel model, String adapterName, Path dir) {
        AdapterConfig converted = ConvertToLora.config(model.config(adapterName));
        Map<String, AdapterParam> trained = model.adapterTensors(adapterName);
        String tmpName = adapterName + "__as_lora";
        model.addAdapterForLoading(tmpName, converted);
        try {
            Map<String, AdapterParam> target = model.adapterTensors(tmpName);
            for (Map.Entry<String, AdapterParam> e : trained.entrySet()) {
                String key = e.getKey();
                AdapterParam dst = target.get(key);
                if (dst == null) {
                    throw new IllegalStateException("converted adapter has no tensor " + key);
                }
                NDArray to = dst.parameter().getArray();
                if (key.endsWith(".lora_A.weight")) {
                    String bKey = key.substring(0, key.length() - "lora_A.weight".length()) + "lora_B.weight";
                    ConvertToLora.Factors f = factors(trained, key, bKey);
                    Matrices.write(to, f.a());
                } else if (key.endsWith(".lora_B.weight")) {
                    String aKey = key.substring(0, key.length() - "lora_B.weight".length()) + "lora_A.weight";
                    ConvertToLora.Factors f = factors(trained, aKey, key);
                    Matrices.write(to, f.b());
                } else {
                    to.set(e.getValue().parameter().getArray().toByteBuffer());
                }
            }
            model.save(dir, tmpName);
        } finally {
            model.deleteAdapter(tmpName);
        }
    }

    private ConvertToLora.Factors factors(Map<String, AdapterParam> trained, String aKey, String bKey) {
        float[][] a0 = tensors.get(aKey);
        float[][] b0 = tensors.get(bKey);
        if (a0 == null || b0 == null) {
            throw new IllegalArgumentException("no captured initial value for " + aKey + "; capture the same adapter "
                    + "right after injection");
        }
        return ConvertToLora.factors(Matrices.read(trained.get(aKey).parameter().getArray()),
                Matrices.read(trained.get(bKey).parameter().getArray()), a0, b0);
    }
}
