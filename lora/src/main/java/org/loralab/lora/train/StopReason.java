package org.loralab.lora.train;

/** Why a fit ended. */
public enum StopReason {
    COMPLETED,
    /** The thread was interrupted (a kernel interrupt); stopped at a batch boundary. */
    INTERRUPTED,
    /** A loss was NaN or infinite; the weights that last gave a finite loss were restored. */
    NON_FINITE_LOSS
}
