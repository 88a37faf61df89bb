package org.loralab.lora.hf.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loralab.lora.hf.generate.FinishReason;
import org.loralab.lora.hf.generate.Generation;
import org.loralab.lora.hf.generate.GenerationConfig;

/** Generation on the generated Llama checkpoint: sampling semantics, stop tokens, interruption, defaults. */
class LlamaGenerationTest {
    private static CausalLm lm;
    private static long[] prompt;
    private static long[] greedy;

    @BeforeAll
    static void load() {
        lm = LlamaFixtures.load("llama-tiny");
        prompt = LlamaFixtures.longs(LlamaFixtures.expected("llama-tiny").getAsJsonArray("prompt"));
        greedy = LlamaFixtures.longs(LlamaFixtures.expected("llama-tiny").getAsJsonArray("greedy_continuation"));
    }

    @AfterAll
    static void close() {
        lm.close();
    }

    private static GenerationConfig.Builder sampling() {
        return GenerationConfig.builder().doSample(true).temperature(1.5).topK(0).maxNewTokens(greedy.length);
    }

    @Test
    void seededSamplingIsReproducibleAndDifferentSeedsDiffer() {
        Generation a = lm.generate(prompt, sampling().seed(1).build(), null);
        assertArrayEquals(a.tokens(), lm.generate(prompt, sampling().seed(1).build(), null).tokens());
        assertEquals(1, a.seed());
        Set<String> distinct = new java.util.HashSet<>();
        for (long seed = 2; seed < 6; seed++) {
            distinct.add(Arrays.toString(lm.generate(prompt, sampling().seed(seed).build(), null).tokens()));
        }
        assertTrue(distinct.size() > 1, "four seeds gave the same tokens " + distinct);
        Generation unseeded = lm.generate(prompt, sampling().build(), null);
        assertArrayEquals(unseeded.tokens(),
                lm.generate(prompt, sampling().seed(unseeded.seed()).build(), null).tokens(),
                "the reported seed reproduces an unseeded run");
    }

    @Test
    void topKOneAndTinyTopPGiveTheGreedyTokens() {
        assertArrayEquals(greedy, lm.generate(prompt, sampling().topK(1).seed(9).build(), null).tokens());
        assertArrayEquals(greedy, lm.generate(prompt, sampling().topP(1e-9).seed(9).build(), null).tokens());
    }

    @Test
    void aStopTokenEndsGenerationEarly() {
        long stop = greedy[2];
        int first = 0;
        while (greedy[first] != stop) {
            first++;
        }
        List<Long> streamed = new ArrayList<>();
        Generation g = lm.generate(prompt, GenerationConfig.builder().maxNewTokens(12).stopTokens(stop).build(),
                streamed::add);
        assertArrayEquals(Arrays.copyOf(greedy, first + 1), g.tokens());
        assertEquals("stop", g.finishReason().toString());
        assertEquals(first + 1, streamed.size());
    }

    @Test
    void interruptionReturnsTheTokensSoFar() {
        AtomicBoolean stop = new AtomicBoolean();
        List<Long> seen = new ArrayList<>();
        Generation g = lm.generate(prompt, GenerationConfig.builder().maxNewTokens(12).build(), id -> {
            seen.add(id);
            stop.set(seen.size() == 4);
            return true;
        }, stop::get);
        assertEquals(FinishReason.INTERRUPTED, g.finishReason());
        assertArrayEquals(Arrays.copyOf(greedy, 4), g.tokens());
        Generation byThread;
        try {
            byThread = lm.generate(prompt, GenerationConfig.builder().maxNewTokens(12).build(), id -> {
                Thread.currentThread().interrupt();
                return true;
            });
        } finally {
            assertTrue(Thread.interrupted(), "the interrupt stays visible to the caller");
        }
        assertEquals("interrupted", byThread.finishReason().toString());
        assertArrayEquals(new long[] {greedy[0]}, byThread.tokens());
    }

    @Test
    void defaultsComeFromTheModelDirectory() {
        GenerationConfig d = lm.generationConfig();
        assertEquals(Set.of(2L, 5L), d.stopTokens()); // config.json 2, generation_config.json [2, 5]
        assertTrue(d.doSample());
        assertEquals(0.6, d.temperature());
        assertEquals(0.9, d.topP());
    }

    @Test
    void outOfVocabularyTokensAndEmptyPromptsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> lm.generate(new long[] {1, 128}, GenerationConfig.greedy(), null));
        assertTrue(e.getMessage().contains("128"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> lm.generate(new long[0], GenerationConfig.greedy(), null));
        assertFalse(lm.generate(prompt, GenerationConfig.builder().maxNewTokens(3).build(), null).tokensPerSecond() <= 0);
    }
}
