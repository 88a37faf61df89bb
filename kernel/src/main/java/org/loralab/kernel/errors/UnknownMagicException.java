package org.loralab.kernel.errors;

/** A %magic that no one registered. */
public final class UnknownMagicException extends RuntimeException {
    public UnknownMagicException(String message) {
        super(message);
    }
}
