package org.loralab.lora.hf.generate;

/** Receives each generated token as soon as it is chosen (for streaming); returning false stops generation. */
@FunctionalInterface
public interface TokenListener {
    /** A listener that ignores tokens and never stops generation. */
    TokenListener NONE = id -> true;

    /** Called once per new token, in order, on the generating thread; false stops after this token. */
    boolean onToken(long id);
}
