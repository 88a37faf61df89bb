package org.loralab.lora.hf.generate;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

/**
 * The generation loop: prefill the prompt in one forward, then one token per step until {@code maxNewTokens}, a
 * stop token, or an interruption. Between tokens it checks the thread's interrupt flag (left set, so the caller
 * still sees it), the stop flag and the listener's answer; an interruption returns the tokens so far with
 * {@link FinishReason#INTERRUPTED} instead of throwing them away.
 */
public final class Generator {
    private Generator() {}

    public static Generation run(LogitsStep model, long[] prompt, GenerationConfig config, TokenListener listener,
            BooleanSupplier stopRequested) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty; give at least one token (e.g. the bos token)");
        }
        TokenListener l = listener == null ? TokenListener.NONE : listener;
        BooleanSupplier stop = stopRequested == null ? () -> false : stopRequested;
        long seed = config.seed() != null ? config.seed() : ThreadLocalRandom.current().nextLong();
        Sampler sampler = new Sampler(config, seed);
        long[] tokens = new long[config.maxNewTokens()];
        int n = 0;
        FinishReason reason = FinishReason.LENGTH;
        long start = System.nanoTime();
        long prefill = 0;
        if (interrupted(stop)) {
            return new Generation(new long[0], FinishReason.INTERRUPTED, prompt.length, seed, 0, 0);
        }
        float[] logits = model.prefill(prompt);
        while (true) {
            long token = sampler.next(logits);
            tokens[n++] = token;
            if (n == 1) {
                prefill = System.nanoTime() - start;
            }
            boolean goOn = l.onToken(token);
            if (config.stopTokens().contains(token)) {
                reason = FinishReason.STOP;
                break;
            }
            if (n == tokens.length) {
                break;
            }
            if (!goOn || interrupted(stop)) {
                reason = FinishReason.INTERRUPTED;
                break;
            }
            logits = model.next(token);
        }
        return new Generation(Arrays.copyOf(tokens, n), reason, prompt.length, seed, prefill, System.nanoTime() - start);
    }

    private static boolean interrupted(BooleanSupplier stop) {
        return Thread.currentThread().isInterrupted() || stop.getAsBoolean();
    }
}
