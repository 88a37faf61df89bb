package org.loralab.lora.hf.llama;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.util.function.BooleanSupplier;
import org.loralab.lora.hf.HfConfig;
import org.loralab.lora.hf.HfModel;
import org.loralab.lora.hf.generate.Generation;
import org.loralab.lora.hf.generate.GenerationConfig;
import org.loralab.lora.hf.generate.Generator;
import org.loralab.lora.hf.generate.LogitsStep;
import org.loralab.lora.hf.generate.TokenListener;

/**
 * A loaded Llama-family causal LM ({@code LlamaForCausalLM}, {@code Qwen2ForCausalLM}, {@code MistralForCausalLM}):
 * logits for a batch and text generation (batch of one) with a KV cache. Adapters injected into {@link #block()}
 * (e.g. LoRA on {@code q_proj, v_proj}) take part in both.
 */
public final class CausalLm extends HfModel {
    private final Model model;
    private final LlamaForCausalLm lm;
    private final GenerationConfig defaults;

    CausalLm(HfConfig config, Model model, LlamaForCausalLm lm, GenerationConfig defaults) {
        super(config, LlamaFamily.NAME);
        this.model = model;
        this.lm = lm;
        this.defaults = defaults;
    }

    @Override
    public Model model() {
        return model;
    }

    /** The validated architecture parameters. */
    public LlamaConfig llamaConfig() {
        return lm.config();
    }

    /** The root block with its live children (what adapters were injected into). */
    public LlamaForCausalLm causalLm() {
        return lm;
    }

    /** The directory's generation settings: eos from config.json and generation_config.json, sampling fields. */
    public GenerationConfig generationConfig() {
        return defaults;
    }

    /** Logits [B, T, vocab] (float32) for rows of equal length, all real tokens; no cache. */
    public NDArray logits(NDManager m, long[][] inputIds) {
        return logits(m, inputIds, null);
    }

    /**
     * Logits [B, T, vocab] (float32); {@code attentionMask} [B][T] marks padding with 0 (left or right padding;
     * positions follow the mask). Logits at padding positions carry no meaning.
     */
    public NDArray logits(NDManager m, long[][] inputIds, long[][] attentionMask) {
        if (inputIds.length == 0 || inputIds[0].length == 0) {
            throw new IllegalArgumentException("input ids are empty; give at least one row of one token");
        }
        int t = inputIds[0].length;
        long[] flat = new long[inputIds.length * t];
        for (int r = 0; r < inputIds.length; r++) {
            if (inputIds[r].length != t) {
                throw new IllegalArgumentException("row " + r + " has " + inputIds[r].length + " tokens, row 0 has " + t
                        + "; pad the rows to one length and pass an attention mask");
            }
            checkIds(inputIds[r]);
            System.arraycopy(inputIds[r], 0, flat, r * t, t);
        }
        NDArray ids = m.create(flat).reshape(inputIds.length, t);
        NDArray out = lm.logits(new ParameterStore(m, false), ids, attentionMask, null, false, null);
        return out.getDataType() == DataType.FLOAT32 ? out : out.toType(DataType.FLOAT32, false);
    }

    /** Generates after {@code prompt} (batch of one); the stop flag is only the thread's interrupt. */
    public Generation generate(long[] prompt, GenerationConfig cfg, TokenListener listener) {
        return generate(prompt, cfg, listener, null);
    }

    /**
     * Generates after {@code prompt}: greedy or sampled per {@code cfg}, each token streamed to {@code listener};
     * ends at {@code maxNewTokens}, a stop token, or when the thread is interrupted, {@code stop} answers true or
     * the listener returns false (the tokens so far are returned, finish reason "interrupted").
     */
    public Generation generate(long[] prompt, GenerationConfig cfg, TokenListener listener, BooleanSupplier stop) {
        checkIds(prompt);
        try (NDManager scratch = model.getNDManager().newSubManager();
                LogitsStep steps = cfg.useCache() ? LlamaSteps.cached(lm, scratch) : LlamaSteps.recomputing(lm, scratch)) {
            return Generator.run(steps, prompt, cfg, listener, stop);
        }
    }

    private void checkIds(long[] ids) {
        int vocab = lm.config().vocabSize();
        for (long id : ids) {
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + vocab
                        + "); was the text encoded with this model's tokenizer?");
            }
        }
    }
}
