package org.loralab.lora.hf.generate;

import java.util.Locale;

/** Why generation ended. */
public enum FinishReason {
    /** {@code maxNewTokens} tokens were generated. */
    LENGTH,
    /** A stop token (eos) was generated; it is the last token of the result. */
    STOP,
    /** The thread was interrupted, the stop flag was raised, or the listener returned false. */
    INTERRUPTED;

    /** "length", "stop" or "interrupted". */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
