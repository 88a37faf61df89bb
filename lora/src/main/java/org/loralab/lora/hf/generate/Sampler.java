package org.loralab.lora.hf.generate;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;

/**
 * Picks the next token from one row of logits, on the CPU in double precision so a seed gives the same tokens on
 * every machine: argmax when greedy; else transformers' warpers in their order (temperature, top-k, top-p), a
 * softmax over what is left, and one draw from a {@link SplittableRandom} seeded once per generation.
 */
public final class Sampler {
    private final GenerationConfig config;
    private final SplittableRandom random;

    public Sampler(GenerationConfig config, long seed) {
        this.config = config;
        this.random = new SplittableRandom(seed);
    }

    public long next(float[] logits) {
        if (!config.doSample()) {
            return argmax(logits);
        }
        double[] p = probabilities(logits, config);
        double u = random.nextDouble();
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) {
                cumulative += p[i];
                last = i;
                if (u < cumulative) {
                    return i;
                }
            }
        }
        return last; // rounding left u above the total: the last kept token
    }

    /** The first index of the largest logit (NaN never wins). */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best] || Float.isNaN(logits[best])) {
                best = i;
            }
        }
        return best;
    }

    /** The sampling distribution after temperature, top-k and top-p (filtered tokens have probability 0). */
    static double[] probabilities(float[] logits, GenerationConfig c) {
        int n = logits.length;
        double[] z = new double[n];
        for (int i = 0; i < n; i++) {
            z[i] = logits[i] / c.temperature();
        }
        if (c.topK() > 0 && c.topK() < n) {
            double[] sorted = z.clone();
            Arrays.sort(sorted);
            double kth = sorted[n - c.topK()];
            for (int i = 0; i < n; i++) {
                if (z[i] < kth) {
                    z[i] = Double.NEGATIVE_INFINITY;
                }
            }
        }
        double[] p = softmax(z);
        if (c.topP() < 1) {
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -p[i]));
            double before = 0;
            for (int rank = 0; rank < n; rank++) {
                int i = order[rank];
                if (rank > 0 && before >= c.topP()) {
                    z[i] = Double.NEGATIVE_INFINITY;
                }
                before += p[i];
            }
            return softmax(z);
        }
        return p;
    }

    private static double[] softmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double[] p = new double[z.length];
        double sum = 0;
        for (int i = 0; i < z.length; i++) {
            p[i] = z[i] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(z[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < z.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
