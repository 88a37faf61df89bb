package org.loralab.lora.io.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.Map;

/**
 * Tensors of one safetensors file or of a sharded checkpoint, read one at a time so that a checkpoint is never held
 * twice in memory. Headers are validated when the source is opened; {@link #read} only converts.
 */
public interface TensorSource extends AutoCloseable {
    /** Header entries, in file order (all shards, shard after shard, for a checkpoint). */
    Map<String, TensorInfo> tensors();

    /** The {@code __metadata__} map (empty when absent; for a checkpoint, the index's and first shard's). */
    Map<String, String> metadata();

    /**
     * One tensor in {@code manager}. Float tensors (F16, BF16, F32, F64) are converted to {@code target} (FLOAT32,
     * FLOAT16 or FLOAT64); integer and boolean tensors keep their own type.
     */
    NDArray read(String name, NDManager manager, DataType target);

    /** The file that holds {@code name} (for error messages). */
    Path file(String name);

    @Override
    void close();
}
