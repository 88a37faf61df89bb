package org.loralab.lora.train;

import java.util.List;
import java.util.function.Consumer;

/**
 * Calls the fit's listeners through {@link Interrupts#keepingInterrupt}: a listener that draws to a notebook while a
 * stop is pending neither fails nor loses the stop; the loop sees the flag at the next batch and stops there.
 */
final class Listeners {
    private final List<FitListener> listeners;

    Listeners(List<FitListener> listeners) {
        this.listeners = listeners;
    }

    boolean isEmpty() {
        return listeners.isEmpty();
    }

    void each(Consumer<FitListener> call) {
        for (FitListener l : listeners) {
            Interrupts.keepingInterrupt(() -> call.accept(l));
        }
    }

    /** Output that is not a listener's (a checkpoint), under the same rule. */
    void uninterrupted(Runnable output) {
        Interrupts.keepingInterrupt(output);
    }
}
