package org.loralab.lora.hf.hub;

/**
 * Told how far each file of a snapshot has come, so a notebook can draw a progress bar. Called on the
 * downloading thread: at the start of a file, after each chunk, and once with {@code done == total} when the file
 * is in place (also for files that were already cached). {@code total} is -1 when the server did not say.
 */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = (file, done, total) -> {};

    void onProgress(String file, long done, long total);
}
