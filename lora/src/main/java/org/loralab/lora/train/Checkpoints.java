package org.loralab.lora.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.zip.CRC32;

/** Atomic parameter checkpoints (temp file + rename), in DJL's own parameter format. */
public final class Checkpoints {
    private Checkpoints() {}

    public static Path fileFor(Path dir, long step) {
        return dir.resolve(String.format("checkpoint-step-%08d.params", step));
    }

    /** The fit-state file that goes with the parameter checkpoint {@code parameters}. */
    public static Path stateFileFor(Path parameters) {
        String name = parameters.getFileName().toString();
        return parameters.resolveSibling(name.replaceFirst("\\.params$", "") + ".fitstate");
    }

    /**
     * Parameters and the fit's state (optimizer moments, step, schedule horizon, data position): the state file is
     * written first and names the CRC-32 of the parameter file, so a pair torn by a crash is refused on resume.
     */
    static Path write(Block block, FitState state, Map<String, GroupedOptimizer.Moments> moments, Path dir, long step) {
        Path target = fileFor(dir, step);
        byte[] params = parameterBytes(block);
        CRC32 crc = new CRC32();
        crc.update(params);
        atomicWrite(dir, stateFileFor(target), FitStateFile.encode(state, moments, crc.getValue()));
        atomicWrite(dir, target, params);
        return target;
    }

    /**
     * Loads checkpoint {@code parameters} into {@code block} and returns the fit state saved with it: continue with
     * {@code Fit.fit(..., options.steps(state.remainingSteps()), state)} for the weights of the uninterrupted run.
     */
    public static FitState resume(Path parameters, Block block, NDManager manager) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(parameters);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + parameters + ": " + e.getMessage(), e);
        }
        CRC32 crc = new CRC32();
        crc.update(bytes);
        Path stateFile = stateFileFor(parameters);
        if (!Files.isRegularFile(stateFile)) {
            throw new IllegalArgumentException("checkpoint " + parameters + " has no fit state beside it ("
                    + stateFile.getFileName() + "): it can load weights, not resume a fit");
        }
        FitState state = FitStateFile.read(stateFile, crc.getValue());
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            block.loadParameters(manager, in);
            // loaded arrays come without autograd: trainable parameters get their gradients back
            for (ai.djl.util.Pair<String, ai.djl.nn.Parameter> p : block.getParameters()) {
                p.getValue().freeze(!p.getValue().requiresGradient());
            }
        } catch (IOException | ai.djl.MalformedModelException e) {
            throw new IllegalArgumentException("checkpoint " + parameters + " does not fit this model: "
                    + e.getMessage(), e);
        }
        return state;
    }

    private static byte[] parameterBytes(Block block) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            block.saveParameters(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void atomicWrite(Path dir, Path target, byte[] bytes) {
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".checkpoint-", ".tmp");
            try {
                Files.write(tmp, bytes);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write checkpoint " + target + ": " + e.getMessage(), e);
        }
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
