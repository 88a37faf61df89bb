package org.loralab.lora.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes that readers never see half done: a temp file in the target's directory, then a rename over the target. */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** A body that writes a file. */
    @FunctionalInterface
    public interface Body {
        void write(OutputStream os) throws IOException;
    }

    /** Writes {@code target} through {@code body}; on any failure no temp file is left and {@code target} is untouched. */
    public static void write(Path target, Body body) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(parent, "." + target.getFileName(), ".tmp");
        try {
            try (OutputStream os = Files.newOutputStream(tmp)) {
                body.write(os);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
