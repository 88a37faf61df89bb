package org.loralab.bench.hf;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.nio.file.Path;
import org.loralab.lora.hf.HfModels;
import org.loralab.lora.hf.LoadOptions;
import org.loralab.lora.hf.llama.CausalLm;
import org.loralab.lora.hf.generate.Generation;
import org.loralab.lora.hf.generate.GenerationConfig;
import org.loralab.lora.hf.generate.Generator;
import org.loralab.lora.hf.generate.LogitsStep;
import org.loralab.lora.hf.llama.LlamaConfig;
import org.loralab.lora.hf.llama.LlamaForCausalLm;
import org.loralab.lora.hf.llama.LlamaSteps;

/**
 * Greedy generation speed with the KV cache for a SmolLM2-135M-shaped Llama (hidden 576, 30 layers, 9 heads,
 * 3 key/value heads, intermediate 1536, vocab 49152, tied embeddings), random weights built in memory.
 * Usage: LlamaGenerateBench PROMPT_TOKENS NEW_TOKENS REPEATS [MODEL_DIR]. With MODEL_DIR, times that Hugging Face
 * directory's model instead. Prints RESULT lines (best of REPEATS).
 */
public final class LlamaGenerateBench {
    private LlamaGenerateBench() {}

    public static void main(String[] args) {
        int promptTokens = Integer.parseInt(args[0]);
        int newTokens = Integer.parseInt(args[1]);
        int repeats = Integer.parseInt(args[2]);
        Map<String, Object> c = new HashMap<>();
        c.put("model_type", "llama");
        c.put("hidden_size", 576);
        c.put("num_hidden_layers", 30);
        c.put("num_attention_heads", 9);
        c.put("num_key_value_heads", 3);
        c.put("intermediate_size", 1536);
        c.put("vocab_size", 49152);
        c.put("tie_word_embeddings", true);
        c.put("rope_theta", 100000.0);
        c.put("rms_norm_eps", 1e-5);
        Engine.getInstance().setRandomSeed(0);
        try (NDManager m = NDManager.newBaseManager();
                CausalLm loaded = args.length > 3 ? (CausalLm) HfModels.load(Path.of(args[3]), LoadOptions.defaults())
                        : null) {
            LlamaForCausalLm lm = loaded != null ? loaded.causalLm() : new LlamaForCausalLm(LlamaConfig.fromFields(c::get));
            if (loaded == null) {
                lm.initialize(m, DataType.FLOAT32, new Shape(1, 1));
            }
            long params = lm.getParameters().values().stream().mapToLong(p -> p.getArray().size()).sum();
            System.out.printf(Locale.ROOT, "model: %s, %,d parameters, fp32%n",
                    loaded != null ? args[3] : "SmolLM2-135M shape, random weights", params);
            int vocab = lm.config().vocabSize();
            long[] prompt = new long[promptTokens];
            for (int i = 0; i < promptTokens; i++) {
                prompt[i] = (100 + 37L * i) % vocab;
            }
            GenerationConfig greedy = GenerationConfig.builder().maxNewTokens(newTokens).build();
            run(lm, m, prompt, GenerationConfig.builder().maxNewTokens(4).build()); // warm-up
            double best = 0;
            double bestDecode = 0;
            double bestPrefill = Double.MAX_VALUE;
            for (int r = 0; r < repeats; r++) {
                Generation g = run(lm, m, prompt, greedy);
                System.out.printf(Locale.ROOT, "run %d: %d tokens, %.2f tokens/s overall, %.2f tokens/s decode, "
                        + "prefill %.0f ms%n", r + 1, g.tokens().length, g.tokensPerSecond(),
                        g.decodeTokensPerSecond(), g.prefillNanos() / 1e6);
                best = Math.max(best, g.tokensPerSecond());
                bestDecode = Math.max(bestDecode, g.decodeTokensPerSecond());
                bestPrefill = Math.min(bestPrefill, g.prefillNanos() / 1e6);
            }
            System.out.printf(Locale.ROOT, "RESULT tokens_per_s %.2f%nRESULT decode_tokens_per_s %.2f%n"
                    + "RESULT prefill_ms_%d_tokens %.0f%n", best, bestDecode, promptTokens, bestPrefill);
        }
    }

    private static Generation run(LlamaForCausalLm lm, NDManager m, long[] prompt, GenerationConfig cfg) {
        try (LogitsStep steps = LlamaSteps.cached(lm, m)) {
            return Generator.run(steps, prompt, cfg, null, null);
        }
    }
}
