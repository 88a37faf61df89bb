package org.loralab.lora.hf.hub;

/**
 * A download from the Hub failed; the message is one line that says what happened and what to do.
 * {@link #cacheMayServe()} marks failures after which a snapshot already in the cache is still a good answer
 * (no network, server error, access refused), as huggingface_hub falls back to the cache in those cases.
 */
public final class HubException extends RuntimeException {
    private final boolean cacheMayServe;

    public HubException(String message) {
        this(message, false, null);
    }

    HubException(String message, boolean cacheMayServe, Throwable cause) {
        super(oneLine(message), cause);
        this.cacheMayServe = cacheMayServe;
    }

    boolean cacheMayServe() {
        return cacheMayServe;
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
