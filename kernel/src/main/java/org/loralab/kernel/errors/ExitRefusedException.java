package org.loralab.kernel.errors;

/** Thrown in place of System.exit / Runtime.exit / Runtime.halt called by notebook code: they would end the kernel. */
public final class ExitRefusedException extends RuntimeException {

    public ExitRefusedException(String call, int status) {
        super(call + "(" + status + ") was refused: it would end the kernel and lose every variable"
                + " (use Kernel > Restart to start over; return or throw to end a cell early)", null, false, false);
    }
}
