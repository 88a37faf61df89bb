package org.loralab.lora.hf.generate;

import java.util.Arrays;

/**
 * The result of one generation: the new tokens (without the prompt; a stop token that ended it is included, as
 * transformers includes eos), why it ended, the sampling seed actually used, and timing.
 *
 * @param prefillNanos time to process the prompt and choose the first token
 * @param totalNanos   time from the start to the last token
 */
public record Generation(long[] tokens, FinishReason finishReason, int promptTokens, long seed, long prefillNanos,
        long totalNanos) {

    public Generation {
        tokens = tokens.clone();
    }

    @Override
    public long[] tokens() {
        return tokens.clone();
    }

    /** New tokens per second over the whole call (prompt processing included). */
    public double tokensPerSecond() {
        return totalNanos <= 0 ? 0 : tokens.length * 1e9 / totalNanos;
    }

    /** Tokens per second after the first one: the speed of one-token steps with the cache. */
    public double decodeTokensPerSecond() {
        long decode = totalNanos - prefillNanos;
        return tokens.length < 2 || decode <= 0 ? 0 : (tokens.length - 1) * 1e9 / decode;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "Generation{%d tokens, %s, %.1f tokens/s, prompt %d, tokens=%s}",
                tokens.length, finishReason, tokensPerSecond(), promptTokens, Arrays.toString(tokens));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Generation g && Arrays.equals(tokens, g.tokens) && finishReason == g.finishReason
                && promptTokens == g.promptTokens && seed == g.seed;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(tokens) * 31 + finishReason.hashCode();
    }
}
