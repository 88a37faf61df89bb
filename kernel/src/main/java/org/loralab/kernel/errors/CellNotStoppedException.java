package org.loralab.kernel.errors;

/** The cell's thread did not end after an interrupt: it still runs; only a restart frees it. */
public final class CellNotStoppedException extends RuntimeException {

    public CellNotStoppedException(String message) {
        super(message, null, false, false);
    }
}
