package org.loralab.lora.hf.generate;

/**
 * A causal LM as the generation loop sees it, for one sequence: the next-token logits after the prompt, then
 * after each token appended. Implementations may keep a KV cache between calls; closing frees it.
 */
public interface LogitsStep extends AutoCloseable {
    /** Logits [vocab] for the token after {@code prompt}. Called once, first. */
    float[] prefill(long[] prompt);

    /** Logits [vocab] for the token after everything so far plus {@code token}. */
    float[] next(long token);

    @Override
    void close();
}
