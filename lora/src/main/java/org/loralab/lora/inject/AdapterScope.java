package org.loralab.lora.inject;

/**
 * A scoped change to an {@link AdaptedModel} that is undone by {@link #close()}; used as
 * {@code try (AdapterScope off = model.disable()) { ... base outputs ... }}.
 */
@FunctionalInterface
public interface AdapterScope extends AutoCloseable {
    /** Restores the previous state. Never throws. */
    @Override
    void close();
}
