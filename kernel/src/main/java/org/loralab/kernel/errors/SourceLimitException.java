package org.loralab.kernel.errors;

/** Source the Java compiler cannot take (e.g. a string constant over the class file's 65,535-byte limit). */
public final class SourceLimitException extends RuntimeException {

    public SourceLimitException(String message) {
        super(message, null, false, false);
    }
}
