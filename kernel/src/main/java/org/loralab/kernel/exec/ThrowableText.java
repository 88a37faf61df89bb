package org.loralab.kernel.exec;

/**
 * Reads a user's Throwable without trusting it: getMessage(), getStackTrace() and getCause() are overridable and may
 * throw. A message that cannot be read says so instead of losing the error.
 */
public final class ThrowableText {

    private ThrowableText() {
    }

    /** The message, null when there is none, or a note naming what getMessage() threw. */
    public static String message(Throwable t) {
        try {
            return t.getMessage();
        } catch (Throwable e) {
            return "(getMessage() threw " + e.getClass().getName() + ")";
        }
    }

    static StackTraceElement[] stackTrace(Throwable t) {
        try {
            StackTraceElement[] trace = t.getStackTrace();
            return trace == null ? new StackTraceElement[0] : trace;
        } catch (Throwable e) {
            return new StackTraceElement[0];
        }
    }

    static Throwable cause(Throwable t) {
        try {
            return t.getCause();
        } catch (Throwable e) {
            return null;
        }
    }
}
