package org.loralab.kernel.errors;

/** A snippet ran longer than the kernel's timeout (LORALAB_TIMEOUT) and was stopped. */
public final class EvaluationTimeoutException extends RuntimeException {
    public EvaluationTimeoutException(String message) {
        super(message);
    }
}
