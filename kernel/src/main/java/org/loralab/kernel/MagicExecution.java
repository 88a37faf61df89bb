package org.loralab.kernel;

import org.loralab.kernel.errors.CellNotStoppedException;
import org.loralab.kernel.errors.EvaluationInterruptedException;
import org.loralab.kernel.errors.EvaluationTimeoutException;
import org.loralab.kernel.errors.MagicFailedException;
import org.loralab.kernel.exec.CellRunner;

import java.util.concurrent.Callable;

/** How a magic runs: on the cell's worker thread, stopped by interrupts, its failures shown as messages. */
final class MagicExecution {

    private MagicExecution() {
    }

    /**
     * Runs a magic on the cell's worker thread (never on the shell thread, which owns a socket), so that an interrupt
     * reaches it as {@link Thread#interrupt()} and the stop flag. A magic that returns after an interrupt (e.g. with
     * a partial report) returns normally.
     */
    static Object run(CellRunner runner, String name, Callable<Object> magic) throws Exception {
        if (CellRunner.onWorkerThread()) {
            try {
                return magic.call();
            } catch (Exception e) {
                throw magicError(name, e);
            }
        }
        if (runner.interruptPending()) {
            throw new EvaluationInterruptedException();
        }
        try {
            return runner.run(magic, 0);
        } catch (CellRunner.Stopped s) {
            switch (s.kind) {
                case DID_NOT_STOP:
                    throw new CellNotStoppedException(s.getMessage());
                case TIMED_OUT:
                    throw new EvaluationTimeoutException(s.getMessage());
                default:
                    throw new EvaluationInterruptedException();
            }
        } catch (CellRunner.Failed f) {
            throw magicError(name, f.getCause());
        }
    }

    /** The kernel's own errors pass as they are; anything else a magic throws is shown as its messages only. */
    private static Exception magicError(String name, Throwable cause) {
        if (cause instanceof InterruptedException || cause instanceof java.io.InterruptedIOException) {
            return new EvaluationInterruptedException();
        }
        if (cause.getClass().getName().startsWith("org.loralab.kernel.")) {
            return cause instanceof Exception ? (Exception) cause : new RuntimeException(cause.toString(), cause);
        }
        return new MagicFailedException(name, cause);
    }
}
