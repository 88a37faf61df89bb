package org.loralab.lora.hf.llama;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.loralab.lora.hf.HfConfig;
import org.loralab.lora.hf.HfModel;
import org.loralab.lora.hf.LoadOptions;
import org.loralab.lora.hf.ModelFamily;
import org.loralab.lora.hf.StateDicts;
import org.loralab.lora.hf.generate.GenerationDefaults;
import org.loralab.lora.io.safetensors.TensorSource;

/** Llama, Qwen2 and Mistral causal LMs from a Hugging Face directory, as {@link CausalLm}. */
public final class LlamaFamily implements ModelFamily {
    static final String NAME = "llama";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> architectures() {
        return List.of("LlamaForCausalLM", "Qwen2ForCausalLM", "MistralForCausalLM");
    }

    @Override
    public boolean supports(HfConfig config) {
        List<String> archs = config.architectures();
        if (!archs.isEmpty()) {
            return archs.stream().anyMatch(architectures()::contains);
        }
        return LlamaConfig.ARCHITECTURES.containsKey(config.modelType());
    }

    @Override
    public HfModel load(HfConfig config, TensorSource weights, LoadOptions options) {
        if (options.dtype() == DataType.BFLOAT16) {
            throw new IllegalArgumentException("BFLOAT16 compute is not available with this engine (DJL's PyTorch "
                    + "build aborts converting to bfloat16); load with FLOAT32 (BF16 weights widen exactly) or FLOAT16");
        }
        LlamaConfig c = LlamaConfig.fromFields(config::raw);
        LlamaForCausalLm lm = new LlamaForCausalLm(c);
        Device device = options.device();
        Model model = device == null ? Model.newInstance("llama") : Model.newInstance("llama", device);
        try {
            model.setBlock(lm);
            model.setDataType(options.dtype());
            lm.initialize(model.getNDManager(), options.dtype(), new Shape(1, 1));
            StateDicts.load(lm, weights, options.dtype(), Map.of(), ignored(c));
            return new CausalLm(config, model, lm, GenerationDefaults.read(config.directory()));
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * Checkpoint names without a parameter here: a tied model's {@code lm_head.weight} (some checkpoints store the
     * shared tensor twice) and the rotary {@code inv_freq} buffers older checkpoints saved (recomputed from config).
     */
    private static Set<String> ignored(LlamaConfig c) {
        Set<String> out = new HashSet<>();
        if (c.tieWordEmbeddings()) {
            out.add("lm_head.weight");
        }
        for (int i = 0; i < c.layers(); i++) {
            out.add("model.layers." + i + ".self_attn.rotary_emb.inv_freq");
        }
        return out;
    }
}
