package org.loralab.kernel.errors;

import jdk.jshell.EvalException;

/** User code threw; keeps JShell's record of the user's exception class, message and stack. */
public final class UserCodeException extends RuntimeException {

    private final EvalException thrown;
    private final String note;

    public UserCodeException(EvalException thrown) {
        this(thrown, null);
    }

    /** With a line the kernel adds after the trace (what it did about the error). */
    public UserCodeException(EvalException thrown, String note) {
        super(thrown.getMessage(), null, false, false);
        this.thrown = thrown;
        this.note = note;
    }

    /** The kernel's note, or null. */
    public String note() {
        return note;
    }

    public EvalException thrown() {
        return thrown;
    }

    /** The fully qualified class name of the exception the user's code threw. */
    public String userClassName() {
        return thrown.getExceptionClassName();
    }
}
