package org.loralab.lora.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link QuantizedWeight#dequantize(NDManager)} (engine ops, used by every QLoRA forward) equals the host
 * {@link QuantizedWeight#dequantize()} bit for bit, on the fast path and on the fallback shapes.
 */
class EngineDequantizeTest {
    private static float[] gaussian(int n, long seed) {
        Random rnd = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * 0.05);
        }
        return v;
    }

    @ParameterizedTest
    @CsvSource({"nf4,128,64,64", "nf4,96,208,64", "nf4-dq,96,208,64", "nf4-dq,256,256,64", "nf4,64,96,32",
        "nf4,64,96,128", "nf4,7,9,64", "nf4,10,48,64", "nf4-dq,3,5,64", "fp4,128,64,64", "fp4-dq,96,208,64", "fp4,7,9,64", "int8,33,17,64", "int8,256,256,64"})
    void engineDequantizeIsBitIdenticalToTheHostPath(String format, int rows, int cols, int blockSize) {
        float[] w = gaussian(rows * cols, rows * 31L + cols);
        int[] shape = {rows, cols};
        QuantOptions o = format.endsWith("-dq") ? QuantOptions.qlora().withBlockSize(blockSize)
                : QuantOptions.nf4().withBlockSize(blockSize);
        QuantizedWeight q = format.equals("int8") ? Int8RowwiseWeight.quantize(w, shape)
                : Nf4Weight.quantize(w, shape, o, format.startsWith("fp4") ? Fp4.CODE : Nf4.CODE);
        try (NDManager m = NDManager.newBaseManager()) {
            int before = m.getManagedArrays().size();
            NDArray d = q.dequantize(m);
            assertEquals(new Shape(rows, cols), d.getShape());
            assertEquals(DataType.FLOAT32, d.getDataType());
            assertArrayEquals(q.dequantize(), d.toFloatArray(), format + " " + rows + "x" + cols);
            assertEquals(before + 1, m.getManagedArrays().size(), "only the result stays on the manager");
        }
    }
}
