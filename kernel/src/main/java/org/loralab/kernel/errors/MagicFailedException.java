package org.loralab.kernel.errors;

/**
 * A magic threw something other than the kernel's own errors: the notebook shows the magic's name and the messages of
 * the exception and its causes, one line each (a user's mistake in a magic is not a screen of Java frames).
 */
public final class MagicFailedException extends RuntimeException {

    private final String magic;

    public MagicFailedException(String magic, Throwable cause) {
        super(magic + ": " + cause.getClass().getName(), cause, false, false);
        this.magic = magic;
    }

    /** The magic as typed: {@code %name} or {@code %%name}. */
    public String magic() {
        return magic;
    }
}
