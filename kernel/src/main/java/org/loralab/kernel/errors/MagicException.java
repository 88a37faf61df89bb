package org.loralab.kernel.errors;

/** A magic was given something it cannot use; the message says what to do. */
public final class MagicException extends RuntimeException {
    public MagicException(String message) {
        super(message);
    }

    public MagicException(String message, Throwable cause) {
        super(message, cause);
    }
}
