package org.loralab.lora.train;

import ai.djl.nn.Block;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Atomic parameter checkpoints (temp file + rename), in DJL's own parameter format. */
public final class Checkpoints {
    private Checkpoints() {}

    public static Path fileFor(Path dir, long step) {
        return dir.resolve(String.format("checkpoint-step-%08d.params", step));
    }

    public static Path write(Block block, Path dir, long step) {
        try {
            Files.createDirectories(dir);
            Path target = fileFor(dir, step);
            Path tmp = Files.createTempFile(dir, ".checkpoint-", ".tmp");
            try (OutputStream os = Files.newOutputStream(tmp);
                    DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(os))) {
                block.saveParameters(out);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write checkpoint to " + dir + ": " + e.getMessage(), e);
        }
    }
}
