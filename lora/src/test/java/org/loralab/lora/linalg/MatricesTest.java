package org.loralab.lora.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

class MatricesTest {

    @Test
    void roundTripsThroughNDArrayFloatsAndEjmlKeepRowMajorLayout() {
        float[][] x = {{1f, 2f, 3f}, {4f, 5f, 6.5f}};
        DMatrixRMaj m = Matrices.fromFloats(x);
        assertEquals(6.5, m.get(1, 2), 0.0);
        assertEquals(3.0, m.get(0, 2), 0.0);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray nd = Matrices.toNDArray(m, manager);
            assertEquals(new Shape(2, 3), nd.getShape());
            assertArrayEquals(new float[] {1f, 2f, 3f, 4f, 5f, 6.5f}, nd.toFloatArray(), 0f);
            DMatrixRMaj back = Matrices.fromNDArray(nd);
            float[][] y = Matrices.toFloats(back);
            for (int i = 0; i < 2; i++) {
                assertArrayEquals(x[i], y[i], 0f);
            }
            assertThrows(IllegalArgumentException.class,
                    () -> Matrices.fromNDArray(manager.create(new float[] {1, 2, 3})));
        }
    }

    @Test
    void raggedRowsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Matrices.fromFloats(new float[][] {{1, 2}, {3}}));
    }
}
