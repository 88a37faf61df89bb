package org.loralab.lora.linalg;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.ejml.data.DMatrixRMaj;

/**
 * Conversions between DJL {@link NDArray}s, {@code float[][]} and EJML {@link DMatrixRMaj}.
 *
 * <p>All decompositions run in double precision on EJML matrices; DJL weights are float32, so values
 * are widened on the way in and rounded once on the way out.
 */
public final class Matrices {
    private Matrices() {}

    /** A 2-D NDArray (any float type) as a row-major double matrix. */
    public static DMatrixRMaj fromNDArray(NDArray array) {
        Shape shape = array.getShape();
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException(
                    "expected a 2-D array, got shape " + shape + "; reshape it to [rows, cols] first");
        }
        int rows = Math.toIntExact(shape.get(0));
        int cols = Math.toIntExact(shape.get(1));
        float[] data = array.getDataType() == DataType.FLOAT32
                ? array.toFloatArray()
                : array.toType(DataType.FLOAT32, false).toFloatArray();
        DMatrixRMaj m = new DMatrixRMaj(rows, cols);
        for (int i = 0; i < data.length; i++) {
            m.data[i] = data[i];
        }
        return m;
    }

    /** A double matrix as a float32 NDArray of shape [rows, cols] owned by {@code manager}. */
    public static NDArray toNDArray(DMatrixRMaj m, NDManager manager) {
        int n = m.getNumElements();
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = (float) m.data[i];
        }
        return manager.create(data, new Shape(m.numRows, m.numCols));
    }

    /** A rectangular float[][] (rows of equal length) as a double matrix. */
    public static DMatrixRMaj fromFloats(float[][] rows) {
        if (rows.length == 0) {
            return new DMatrixRMaj(0, 0);
        }
        int cols = rows[0].length;
        DMatrixRMaj m = new DMatrixRMaj(rows.length, cols);
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length
                        + " entries but row 0 has " + cols + "; a matrix needs rows of equal length");
            }
            for (int j = 0; j < cols; j++) {
                m.data[i * cols + j] = rows[i][j];
            }
        }
        return m;
    }

    /** A double matrix as float[rows][cols]. */
    public static float[][] toFloats(DMatrixRMaj m) {
        float[][] out = new float[m.numRows][m.numCols];
        for (int i = 0; i < m.numRows; i++) {
            for (int j = 0; j < m.numCols; j++) {
                out[i][j] = (float) m.data[i * m.numCols + j];
            }
        }
        return out;
    }

    /** A rectangular double[][] as a double matrix (copy). */
    public static DMatrixRMaj fromDoubles(double[][] rows) {
        return new DMatrixRMaj(rows);
    }

    /** A 2-D NDArray as float[rows][cols]. */
    public static float[][] toFloats(NDArray array) {
        return toFloats(fromNDArray(array));
    }

    /** A float[][] as a float32 NDArray owned by {@code manager}. */
    public static NDArray toNDArray(float[][] rows, NDManager manager) {
        return toNDArray(fromFloats(rows), manager);
    }
}
