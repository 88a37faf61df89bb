package org.loralab.kernel.errors;

/** The cell ends in the middle of a statement. */
public final class IncompleteSourceException extends RuntimeException {
    public IncompleteSourceException(String source) {
        super("incomplete input: " + source.strip().lines().reduce((a, b) -> b).orElse(""));
    }
}
