package org.loralab.lora.hf.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.loralab.lora.hf.generate.FinishReason;
import org.loralab.lora.hf.generate.Generation;
import org.loralab.lora.hf.generate.GenerationConfig;
import org.loralab.lora.hf.generate.TokenListener;

/** Each generated checkpoint against the independent Python reference: logits and a greedy continuation. */
class LlamaFixtureTest {
    private static final double TOLERANCE = 1e-4;

    @ParameterizedTest
    @ValueSource(strings = {"llama-tiny", "qwen2-tiny", "mistral-tiny", "llama-tiny-bf16"})
    void logitsMatchTheReferenceAtEveryRealToken(String name) {
        JsonObject ex = LlamaFixtures.expected(name);
        long[][] ids = LlamaFixtures.longs2(ex.getAsJsonArray("input_ids"));
        long[][] mask = LlamaFixtures.longs2(ex.getAsJsonArray("attention_mask"));
        JsonArray expected = ex.getAsJsonArray("logits");
        try (CausalLm lm = LlamaFixtures.load(name); NDManager m = NDManager.newBaseManager()) {
            NDArray logits = lm.logits(m, ids, mask);
            int vocab = lm.llamaConfig().vocabSize();
            assertArrayEquals(new long[] {ids.length, ids[0].length, vocab}, logits.getShape().getShape());
            float[] got = logits.toFloatArray();
            int compared = 0;
            double worst = 0;
            for (int b = 0; b < ids.length; b++) {
                for (int t = 0; t < ids[b].length; t++) {
                    if (mask[b][t] == 0) {
                        continue;
                    }
                    JsonArray row = expected.get(b).getAsJsonArray().get(t).getAsJsonArray();
                    for (int v = 0; v < vocab; v++) {
                        double diff = Math.abs(got[(b * ids[b].length + t) * vocab + v] - row.get(v).getAsDouble());
                        worst = Math.max(worst, diff);
                        compared++;
                    }
                }
            }
            assertTrue(worst <= TOLERANCE, name + ": max |logit - reference| = " + worst);
            assertEquals((3 * 7 - 4) * vocab, compared, "the padded rows were compared at their real tokens only");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-tiny", "qwen2-tiny", "mistral-tiny", "llama-tiny-bf16"})
    void greedyContinuationMatchesTokenForTokenWithAndWithoutCache(String name) {
        JsonObject ex = LlamaFixtures.expected(name);
        long[] prompt = LlamaFixtures.longs(ex.getAsJsonArray("prompt"));
        long[] expected = LlamaFixtures.longs(ex.getAsJsonArray("greedy_continuation"));
        try (CausalLm lm = LlamaFixtures.load(name)) {
            GenerationConfig greedy = GenerationConfig.builder().maxNewTokens(expected.length).build();
            Generation cached = lm.generate(prompt, greedy, TokenListener.NONE);
            assertArrayEquals(expected, cached.tokens());
            assertEquals(FinishReason.LENGTH, cached.finishReason());
            Generation recomputed = lm.generate(prompt, greedy.toBuilder().useCache(false).build(), null);
            assertArrayEquals(expected, recomputed.tokens());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-tiny", "qwen2-tiny", "mistral-tiny"})
    void sampledGenerationWithTheCacheEqualsRecomputation(String name) {
        long[] prompt = LlamaFixtures.longs(LlamaFixtures.expected(name).getAsJsonArray("prompt"));
        try (CausalLm lm = LlamaFixtures.load(name)) {
            GenerationConfig c = GenerationConfig.builder().doSample(true).temperature(1.3).topK(0).seed(5)
                    .maxNewTokens(24).build();
            long[] cached = lm.generate(prompt, c, null).tokens();
            assertArrayEquals(cached, lm.generate(prompt, c.toBuilder().useCache(false).build(), null).tokens());
            assertEquals(24, cached.length);
        }
    }

    @org.junit.jupiter.api.Test
    void bf16WeightsRunInFloat16ComputeAndBf16ComputeIsRefused() {
        JsonObject ex = LlamaFixtures.expected("llama-tiny-bf16");
        long[][] ids = LlamaFixtures.longs2(ex.getAsJsonArray("input_ids"));
        JsonArray row0 = ex.getAsJsonArray("logits").get(0).getAsJsonArray();
        try (CausalLm lm = LlamaFixtures.load(LlamaFixtures.dir("llama-tiny-bf16"), DataType.FLOAT16);
                NDManager m = NDManager.newBaseManager()) {
            assertEquals(DataType.FLOAT16, lm.causalLm().getParameters().get(0).getValue().getArray().getDataType());
            NDArray logits = lm.logits(m, new long[][] {ids[0]});
            assertEquals(DataType.FLOAT32, logits.getDataType());
            float[] got = logits.toFloatArray();
            int vocab = lm.llamaConfig().vocabSize();
            double worst = 0;
            for (int t = 0; t < ids[0].length; t++) {
                JsonArray expected = row0.get(t).getAsJsonArray();
                for (int v = 0; v < vocab; v++) {
                    worst = Math.max(worst, Math.abs(got[t * vocab + v] - expected.get(v).getAsDouble()));
                }
            }
            // fp16 keeps 11 significant bits: logits of magnitude ~5 land within a few hundredths
            assertTrue(worst < 0.1, "fp16 compute drifted by " + worst);
            assertTrue(worst > 0, "fp16 compute cannot be exact; was float32 used?");
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> LlamaFixtures.load(LlamaFixtures.dir("llama-tiny"), DataType.BFLOAT16));
        assertTrue(e.getMessage().contains("BFLOAT16"), e.getMessage());
    }
}
