package org.loralab.lora.hf.hub;

/**
 * Told how far each file of a snapshot has come, so a notebook can draw a progress bar: at the start of a file,
 * after each chunk, and once with {@code done == total} when the file is in place (also for files that were already
 * cached). Chunks are reported from the HTTP client's threads; calls for one file never overlap.
 */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = (file, done, total) -> {};

    void onProgress(String file, long done, long total);
}
