package org.loralab.ext.magic;

/**
 * A user's mistake in a magic, shown as its one-line message: no stack trace (a kernel prints a throwable's trace;
 * this one has none), no cause.
 */
public final class MagicError extends RuntimeException {
    public MagicError(String message) {
        super(message, null, false, false);
    }

    @Override
    public String toString() {
        return getMessage();
    }
}
