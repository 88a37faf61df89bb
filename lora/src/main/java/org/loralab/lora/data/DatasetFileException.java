package org.loralab.lora.data;

import java.nio.file.Path;

/** A data file that is missing, truncated, corrupt or not what it claims to be. The message names the file. */
public class DatasetFileException extends RuntimeException {
    private final transient Path file;

    public DatasetFileException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public DatasetFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
