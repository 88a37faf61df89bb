package org.loralab.lora.variant.lora;

import ai.djl.ndarray.NDArray;

/** float[][] views of NDArrays, rows = first dimension, the rest flattened. */
public final class Matrices {
    private Matrices() {}

    /** Reads {@code a} as [rows, size/rows]. */
    public static float[][] read(NDArray a, int rows) {
        float[] flat = a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        int cols = rows == 0 ? 0 : flat.length / rows;
        float[][] m = new float[rows][cols];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(flat, i * cols, m[i], 0, cols);
        }
        return m;
    }

    /** Reads {@code a} as [shape[0], rest]. */
    public static float[][] read(NDArray a) {
        return read(a, (int) a.getShape().get(0));
    }

    /** Writes {@code m} into {@code a} in place; sizes must agree. */
    public static void write(NDArray a, float[][] m) {
        long n = 0;
        for (float[] row : m) {
            n += row.length;
        }
        if (n != a.size() || m.length != a.getShape().get(0)) {
            throw new IllegalArgumentException("matrix " + m.length + "x" + (m.length == 0 ? 0 : m[0].length)
                    + " does not fit tensor of shape " + a.getShape());
        }
        float[] flat = new float[(int) n];
        int k = 0;
        for (float[] row : m) {
            System.arraycopy(row, 0, flat, k, row.length);
            k += row.length;
        }
        boolean grad = a.hasGradient();
        if (grad) {
            a.setRequiresGradient(false); // in-place writes on a leaf that requires grad are refused by PyTorch
        }
        a.set(flat);
        if (grad) {
            a.setRequiresGradient(true);
        }
    }
}
