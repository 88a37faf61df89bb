package org.loralab.lora.models.pretrained;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import org.loralab.lora.train.TensorData;

/** Accuracy and logits of a classifier block on in-memory data, in inference mode, one sub-manager per batch. */
public final class Evaluation {
    private Evaluation() {}

    /** Fraction of {@code data}'s examples whose arg-max logit equals the label. */
    public static double accuracy(Block block, TensorData data) {
        return accuracy(block, data, 256);
    }

    public static double accuracy(Block block, TensorData data, int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        }
        long n = data.size();
        long correct = 0;
        NDManager parent = data.features().getManager();
        for (long from = 0; from < n; from += batchSize) {
            long to = Math.min(n, from + batchSize);
            try (NDManager scope = parent.newSubManager()) {
                NDArray x = data.features().get(from + ":" + to);
                NDArray y = data.labels().get(from + ":" + to);
                x.attach(scope);
                y.attach(scope);
                NDArray logits = block.forward(new ParameterStore(scope, false), new NDList(x), false)
                        .singletonOrThrow();
                correct += logits.argMax(1).toType(DataType.INT64, false)
                        .eq(y.toType(DataType.INT64, false)).sum().getLong();
            }
        }
        return n == 0 ? Double.NaN : (double) correct / n;
    }

    /** The block's outputs on {@code features} as a float matrix [n][outputs] (small inputs: notebooks, checks). */
    public static float[][] logits(Block block, NDArray features) {
        try (NDManager scope = features.getManager().newSubManager()) {
            NDArray x = features.duplicate();
            x.attach(scope);
            NDArray out = block.forward(new ParameterStore(scope, false), new NDList(x), false).singletonOrThrow();
            long rows = out.getShape().get(0);
            long cols = out.size() / rows;
            float[] flat = out.toType(DataType.FLOAT32, false).toFloatArray();
            float[][] m = new float[(int) rows][(int) cols];
            for (int i = 0; i < rows; i++) {
                System.arraycopy(flat, (int) (i * cols), m[i], 0, (int) cols);
            }
            return m;
        }
    }
}
