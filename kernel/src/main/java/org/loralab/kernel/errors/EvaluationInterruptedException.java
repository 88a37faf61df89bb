package org.loralab.kernel.errors;

/** The cell was stopped by an interrupt request. */
public final class EvaluationInterruptedException extends RuntimeException {
    public EvaluationInterruptedException() {
        super("the cell was interrupted");
    }
}
