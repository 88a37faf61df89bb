package org.loralab.lora.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;

/** Small classification tasks generated in memory from a seed (no downloads), for quick starts and tests. */
public final class SyntheticTasks {
    private SyntheticTasks() {}

    /** A train and a validation split of the same task. */
    public record Split(TensorData train, TensorData validation) {}

    /**
     * {@code classes} Gaussian clusters in {@code features} dimensions: each class has a random unit-scale centre
     * ({@code separation} apart on average) and unit noise. Labels are int64 class indices; examples alternate
     * classes so every prefix is balanced.
     */
    public static Split blobs(NDManager manager, int train, int validation, int features, int classes,
            double separation, long seed) {
        if (train <= 0 || validation < 0 || features <= 0 || classes < 2) {
            throw new IllegalArgumentException("blobs need train > 0, validation >= 0, features > 0, classes >= 2");
        }
        Random rnd = new Random(seed);
        double[][] centres = new double[classes][features];
        for (double[] c : centres) {
            for (int j = 0; j < features; j++) {
                c[j] = rnd.nextGaussian() * separation / Math.sqrt(2);
            }
        }
        return new Split(sample(manager, train, centres, rnd),
                validation == 0 ? null : sample(manager, validation, centres, rnd));
    }

    private static TensorData sample(NDManager manager, int n, double[][] centres, Random rnd) {
        int d = centres[0].length;
        float[] x = new float[n * d];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            int c = i % centres.length;
            y[i] = c;
            for (int j = 0; j < d; j++) {
                x[i * d + j] = (float) (centres[c][j] + rnd.nextGaussian());
            }
        }
        return new TensorData(manager.create(x, new Shape(n, d)), manager.create(y));
    }
}
