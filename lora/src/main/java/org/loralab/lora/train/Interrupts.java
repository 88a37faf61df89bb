package org.loralab.lora.train;

import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;

/**
 * Output that must not turn a stop request into an exception. A thread whose interrupt flag is set fails on blocking
 * I/O (EINTR on a ZMQ socket, ClosedByInterruptException on a channel), so a notebook display or a checkpoint written
 * while a stop is pending would fail instead of letting the training loop stop at its next batch. These calls clear
 * the flag around the output and set it again afterwards.
 */
public final class Interrupts {
    private Interrupts() {}

    /**
     * Runs {@code output} with the interrupt flag cleared. An interrupt pending before, or arriving during the call
     * (also one that made the output fail), is kept: the flag is set again and true is returned. Other failures are
     * thrown.
     */
    public static boolean keepingInterrupt(Runnable output) {
        boolean pending = Thread.interrupted();
        try {
            output.run();
        } catch (RuntimeException e) {
            if (!(pending || Thread.currentThread().isInterrupted() || causedByInterrupt(e))) {
                throw e;
            }
            pending = true;
        } finally {
            pending |= Thread.currentThread().isInterrupted();
            if (pending) {
                Thread.currentThread().interrupt();
            }
        }
        return pending;
    }

    /** An interrupt delivered to blocking I/O: InterruptedException, interrupted channels and streams, EINTR. */
    public static boolean causedByInterrupt(Throwable e) {
        int depth = 0;
        for (Throwable t = e; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t instanceof InterruptedException || t instanceof InterruptedIOException
                    || t instanceof ClosedByInterruptException) {
                return true;
            }
            String m = t.getMessage();
            if (m != null && (m.contains("Errno 4") || m.contains("EINTR"))) {
                return true;
            }
        }
        return false;
    }
}
