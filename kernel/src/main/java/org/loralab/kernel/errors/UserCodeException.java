package org.loralab.kernel.errors;

import jdk.jshell.EvalException;

/** User code threw; keeps JShell's record of the user's exception class, message and stack. */
public final class UserCodeException extends RuntimeException {

    private final EvalException thrown;

    public UserCodeException(EvalException thrown) {
        super(thrown.getMessage(), null, false, false);
        this.thrown = thrown;
    }

    public EvalException thrown() {
        return thrown;
    }

    /** The fully qualified class name of the exception the user's code threw. */
    public String userClassName() {
        return thrown.getExceptionClassName();
    }
}
