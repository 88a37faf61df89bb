package org.loralab.lora.hf.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final float[] LOGITS = logits(0.5, 0.3, 0.2); // probabilities 0.5, 0.3, 0.2

    private static float[] logits(double... probabilities) {
        float[] out = new float[probabilities.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) Math.log(probabilities[i]);
        }
        return out;
    }

    private static GenerationConfig.Builder sample() {
        return GenerationConfig.builder().doSample(true).topK(0);
    }

    @Test
    void greedyIsTheFirstArgmax() {
        assertEquals(1, Sampler.argmax(new float[] {1f, 3f, 3f, -2f}));
        assertEquals(0, new Sampler(GenerationConfig.greedy(), 1).next(LOGITS));
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        double[] p = Sampler.probabilities(LOGITS, sample().topP(0.8).build());
        assertEquals(0.5 / 0.8, p[0], 1e-6);
        assertEquals(0.3 / 0.8, p[1], 1e-6);
        assertEquals(0, p[2]);
        // 0.5 alone reaches p = 0.5 (transformers removes tokens whose ascending cumulative sum is <= 1 - p)
        assertArrayEquals(new double[] {1, 0, 0}, Sampler.probabilities(LOGITS, sample().topP(0.5).build()), 1e-9);
        assertArrayEquals(new double[] {0.5, 0.3, 0.2},
                Sampler.probabilities(LOGITS, sample().topP(0.81).build()), 1e-6);
    }

    @Test
    void topKKeepsTiesWithTheKthAndRunsBeforeTopP() {
        double[] p = Sampler.probabilities(logits(0.4, 0.2, 0.2, 0.2), sample().topK(2).build());
        assertArrayEquals(new double[] {0.4, 0.2, 0.2, 0.2}, p, 1e-6);
        // top-k 2 of (0.5, 0.3, 0.2) renormalises to (0.625, 0.375): top-p 0.6 then keeps only the first
        assertArrayEquals(new double[] {1, 0, 0},
                Sampler.probabilities(LOGITS, sample().topK(2).topP(0.6).build()), 1e-9);
    }

    @Test
    void temperatureSharpensBeforeFiltering() {
        double[] p = Sampler.probabilities(LOGITS, sample().temperature(0.5).build());
        double z = 0.25 + 0.09 + 0.04;
        assertEquals(0.25 / z, p[0], 1e-6);
        assertEquals(0.04 / z, p[2], 1e-6);
    }

    @Test
    void seededSamplingIsReproducibleAndSeedsDiffer() {
        float[] flat = new float[50];
        GenerationConfig c = sample().build();
        long[] a = draw(new Sampler(c, 7), flat);
        assertArrayEquals(a, draw(new Sampler(c, 7), flat));
        assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(draw(new Sampler(c, 8), flat)));
    }

    @Test
    void topKOneAndTinyTopPAreGreedy() {
        Random r = new Random(3);
        for (int trial = 0; trial < 20; trial++) {
            float[] z = new float[40];
            for (int i = 0; i < z.length; i++) {
                z[i] = (float) r.nextGaussian() * 3;
            }
            long greedy = Sampler.argmax(z);
            assertEquals(greedy, new Sampler(sample().topK(1).build(), trial).next(z));
            assertEquals(greedy, new Sampler(sample().topP(1e-6).build(), trial).next(z));
        }
    }

    @Test
    void samplingFollowsTheDistribution() {
        Sampler s = new Sampler(sample().build(), 11);
        int[] counts = new int[3];
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            counts[(int) s.next(LOGITS)]++;
        }
        assertEquals(0.5, counts[0] / (double) n, 0.02);
        assertEquals(0.3, counts[1] / (double) n, 0.02);
        assertTrue(counts[2] > 0);
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.builder().temperature(0));
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.builder().topP(0));
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.builder().topK(-1));
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.builder().maxNewTokens(0));
    }

    private static long[] draw(Sampler s, float[] logits) {
        long[] out = new long[30];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.next(logits);
        }
        return out;
    }
}
