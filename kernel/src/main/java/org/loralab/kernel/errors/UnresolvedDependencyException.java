package org.loralab.kernel.errors;

/** A declaration uses something that is not defined yet. */
public final class UnresolvedDependencyException extends RuntimeException {
    public UnresolvedDependencyException(String message) {
        super(message);
    }
}
