package org.loralab.lora.hf.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratorTest {

    /** A fake model whose next token is always (last token + 1) mod 10, counting its forwards. */
    static final class Counting implements LogitsStep {
        int forwards;
        long last;

        @Override
        public float[] prefill(long[] prompt) {
            last = prompt[prompt.length - 1];
            return logits();
        }

        @Override
        public float[] next(long token) {
            last = token;
            return logits();
        }

        private float[] logits() {
            forwards++;
            float[] z = new float[10];
            z[(int) ((last + 1) % 10)] = 5f;
            return z;
        }

        @Override
        public void close() {}
    }

    @Test
    void lengthStopsAfterMaxNewTokensWithOneForwardPerToken() {
        Counting model = new Counting();
        List<Long> streamed = new ArrayList<>();
        Generation g = Generator.run(model, new long[] {3, 4}, GenerationConfig.builder().maxNewTokens(4).build(),
                id -> streamed.add(id), null);
        assertArrayEquals(new long[] {5, 6, 7, 8}, g.tokens());
        assertEquals(List.of(5L, 6L, 7L, 8L), streamed);
        assertEquals(FinishReason.LENGTH, g.finishReason());
        assertEquals(4, model.forwards);
        assertEquals(2, g.promptTokens());
        assertTrue(g.tokensPerSecond() > 0);
    }

    @Test
    void aStopTokenEndsEarlyAndIsKept() {
        Generation g = Generator.run(new Counting(), new long[] {1},
                GenerationConfig.builder().maxNewTokens(10).stopTokens(4, 9).build(), null, null);
        assertArrayEquals(new long[] {2, 3, 4}, g.tokens());
        assertEquals("stop", g.finishReason().toString());
    }

    @Test
    void theStopFlagAndTheListenerInterruptKeepingTheTokens() {
        AtomicBoolean stop = new AtomicBoolean();
        List<Long> seen = new ArrayList<>();
        Generation g = Generator.run(new Counting(), new long[] {0}, GenerationConfig.builder().maxNewTokens(10).build(),
                id -> {
                    seen.add(id);
                    stop.set(seen.size() == 3);
                    return true;
                }, stop::get);
        assertArrayEquals(new long[] {1, 2, 3}, g.tokens());
        assertEquals("interrupted", g.finishReason().toString());

        Generation byListener = Generator.run(new Counting(), new long[] {0},
                GenerationConfig.builder().maxNewTokens(10).build(), id -> id < 2, null);
        assertArrayEquals(new long[] {1, 2}, byListener.tokens());
        assertEquals(FinishReason.INTERRUPTED, byListener.finishReason());
    }

    @Test
    void threadInterruptReturnsTheTokensSoFarAndLeavesTheFlagSet() {
        Generation g;
        try {
            g = Generator.run(new Counting(), new long[] {0}, GenerationConfig.builder().maxNewTokens(10).build(),
                    id -> {
                        if (id == 2) {
                            Thread.currentThread().interrupt();
                        }
                        return true;
                    }, null);
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
        assertArrayEquals(new long[] {1, 2}, g.tokens());
        assertEquals(FinishReason.INTERRUPTED, g.finishReason());
    }

    @Test
    void defaultsComeFromConfigAndGenerationConfig(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("config.json"), "{\"eos_token_id\": 2, \"model_type\": \"llama\"}");
        Files.writeString(dir.resolve("generation_config.json"),
                "{\"eos_token_id\": [2, 7], \"do_sample\": true, \"temperature\": 0.6, \"top_p\": 0.9}");
        GenerationConfig c = GenerationDefaults.read(dir);
        assertEquals(Set.of(2L, 7L), c.stopTokens());
        assertTrue(c.doSample());
        assertEquals(0.6, c.temperature());
        assertEquals(0.9, c.topP());
        assertEquals(50, c.topK());
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": \"two\"}");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> GenerationDefaults.read(dir));
        assertTrue(e.getMessage().contains("eos_token_id"), e.getMessage());
    }
}
