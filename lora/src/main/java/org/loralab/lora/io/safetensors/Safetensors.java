package org.loralab.lora.io.safetensors;

import ai.djl.ndarray.NDArray;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The safetensors format: a little-endian u64 header length, a UTF-8 JSON header ({@code name -> {dtype, shape,
 * data_offsets}} plus an optional string map {@code __metadata__}), then the tensors' bytes. Files are untrusted:
 * headers are validated before anything is allocated; errors are one line naming the file and the tensor.
 */
public final class Safetensors {
    /** The single-file checkpoint name that save_pretrained writes. */
    public static final String MODEL = "model.safetensors";
    /** The sharded checkpoint's index. */
    public static final String INDEX = "model.safetensors.index.json";

    private Safetensors() {}

    /** One .safetensors file; its header is validated before any tensor is allocated. */
    public static TensorSource open(Path file) {
        return SafetensorsFile.open(file);
    }

    /**
     * The weights of a Hugging Face model directory: {@code model.safetensors.index.json} and its shards, else
     * {@code model.safetensors}. A directory holding only pickle weights is refused.
     */
    public static TensorSource openCheckpoint(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": " + (Files.exists(dir) ? "is not a directory" : "no such directory")
                    + "; expected a model directory with " + MODEL + " or " + INDEX);
        }
        if (Files.exists(dir.resolve(INDEX))) {
            return ShardedCheckpoint.open(dir.resolve(INDEX));
        }
        if (Files.exists(dir.resolve(MODEL))) {
            return SafetensorsFile.open(dir.resolve(MODEL));
        }
        for (String pickle : new String[] {"pytorch_model.bin.index.json", "pytorch_model.bin"}) {
            if (Files.exists(dir.resolve(pickle))) {
                throw new IllegalArgumentException(dir.resolve(pickle) + ": refused, pickle files can run code when loaded; "
                        + "convert to safetensors first, e.g. " + PickleAdvice.convertCommand(pickle));
            }
        }
        throw new UncheckedIOException(new java.io.FileNotFoundException(dir + ": no " + MODEL + " or " + INDEX
                + " in this directory"));
    }

    /**
     * Writes {@code tensors} to {@code file} atomically (temp file + rename), with {@code __metadata__} = {"format":
     * "pt"} plus {@code metadata}, the header padded with spaces to an 8-byte boundary, tensors in the reference
     * writer's order (descending dtype, then name).
     */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) {
        SafetensorsWriter.write(file, tensors, metadata);
    }
}
