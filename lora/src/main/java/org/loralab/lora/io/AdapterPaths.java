package org.loralab.lora.io;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** What a path in an adapter directory is, when it is not what loading needs. */
final class AdapterPaths {
    private AdapterPaths() {}

    static void checkDirectory(Path dir) {
        if (!Files.exists(dir)) {
            throw new IllegalArgumentException("no PEFT adapter at " + dir + ": no such directory");
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("no PEFT adapter at " + dir + ": it is a file, expected a directory with "
                    + AdapterFiles.CONFIG + " and " + AdapterFiles.WEIGHTS);
        }
    }

    /** {@code file} must be a regular file (a link to one is fine); else one line saying what it is. */
    static void checkFile(Path file, String missing) {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException(missing);
        }
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(file + ": a symbolic link to nothing");
        }
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(file + ": is a directory, expected a file");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": is not a regular file (a FIFO, socket or device), expected a file");
        }
        if (!Files.isReadable(file)) {
            throw new java.io.UncheckedIOException(file + ": permission denied", new java.nio.file.AccessDeniedException(file.toString()));
        }
    }
}
