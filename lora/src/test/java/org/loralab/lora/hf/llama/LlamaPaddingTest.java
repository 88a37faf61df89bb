package org.loralab.lora.hf.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loralab.lora.io.safetensors.Safetensors;
import org.loralab.lora.io.safetensors.TensorSource;

/** Padding masks and the tied head's checkpoint variants. */
class LlamaPaddingTest {

    @Test
    void leftAndRightPaddedRowsGiveTheUnpaddedLogitsAtTheirTokens() {
        long[] tokens = {17, 40, 3, 91, 64};
        try (CausalLm lm = LlamaFixtures.load("qwen2-tiny"); NDManager m = NDManager.newBaseManager()) {
            NDArray plain = lm.logits(m, new long[][] {tokens});
            NDArray padded = lm.logits(m, new long[][] {{0, 0, 17, 40, 3, 91, 64}, {17, 40, 3, 91, 64, 0, 0}},
                    new long[][] {{0, 0, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 0, 0}});
            NDArray left = padded.get(new NDIndex("0:1, 2:"));
            NDArray right = padded.get(new NDIndex("1:2, :5"));
            assertTrue(plain.allClose(left, 1e-5, 1e-5, false), "left padding changed the logits");
            assertTrue(plain.allClose(right, 1e-5, 1e-5, false), "right padding changed the logits");
            NDArray unmasked = lm.logits(m, new long[][] {{0, 0, 17, 40, 3, 91, 64}}).get(new NDIndex("0:1, 2:"));
            assertTrue(!plain.allClose(unmasked, 1e-3, 1e-3, false), "the mask must matter for this test to mean anything");
        }
    }

    @Test
    void aTiedCheckpointThatAlsoStoresLmHeadLoadsAndAnUntiedOneWithoutItIsRefused(@TempDir Path tmp)
            throws Exception {
        Path tied = Files.createDirectories(tmp.resolve("tied"));
        LlamaFixtures.withConfigEdit("llama-tiny", tied, "\"model_type\"", "\"model_type\"");
        try (NDManager m = NDManager.newBaseManager();
                TensorSource src = Safetensors.open(tied.resolve("model.safetensors"))) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (String name : src.tensors().keySet()) {
                tensors.put(name, src.read(name, m, DataType.FLOAT32));
            }
            tensors.put("lm_head.weight", tensors.get("model.embed_tokens.weight"));
            src.close();
            Safetensors.write(tied.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        }
        try (CausalLm lm = LlamaFixtures.load(tied, DataType.FLOAT32)) {
            assertEquals(LlamaFixtures.longs(LlamaFixtures.expected("llama-tiny").getAsJsonArray("greedy_continuation"))
                    [0], lm.generate(LlamaFixtures.longs(LlamaFixtures.expected("llama-tiny").getAsJsonArray("prompt")),
                    org.loralab.lora.hf.generate.GenerationConfig.builder().maxNewTokens(1).build(), null).tokens()[0]);
        }
        Path untied = Files.createDirectories(tmp.resolve("untied"));
        LlamaFixtures.withConfigEdit("llama-tiny", untied, "\"tie_word_embeddings\": true",
                "\"tie_word_embeddings\": false");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LlamaFixtures.load(untied, DataType.FLOAT32));
        assertTrue(e.getMessage().contains("lm_head.weight"), e.getMessage());
    }
}
