package org.loralab.lora.quant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Int8 row-wise storage, bitsandbytes {@code Int8Params} / {@code int8_vectorwise_quant} without outliers:
 * per row (last dimension) {@code rowmax = max|w|}, {@code q = round(w · (127 / rowmax))} with round-half-even,
 * and {@code w' = (q · rowmax) · (1/127)} in fp32 (bnb multiplies by 7.874015718698502e-3). A row of zeros stores
 * rowmax 0 and codes 0 (bnb would produce NaN there).
 */
public final class Int8RowwiseWeight implements QuantizedWeight {
    static final float INV_127 = 7.874015718698502e-3f;

    private final int[] shape;
    private final int rowLength;
    private final byte[] codes;
    private final float[] rowAbsmax;

    private Int8RowwiseWeight(int[] shape, int rowLength, byte[] codes, float[] rowAbsmax) {
        this.shape = shape;
        this.rowLength = rowLength;
        this.codes = codes;
        this.rowAbsmax = rowAbsmax;
    }

    public static Int8RowwiseWeight quantize(float[] values, int[] shape) {
        int n = Shapes.checkedNumel(values, shape);
        int cols = shape[shape.length - 1];
        int rows = n / cols;
        byte[] codes = new byte[n];
        float[] rowmax = new float[rows];
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            float max = 0f;
            for (int c = 0; c < cols; c++) {
                float a = Math.abs(values[base + c]);
                if (!Float.isFinite(a)) {
                    throw new IllegalArgumentException("cannot quantise " + values[base + c] + " (row " + r
                            + ", column " + c + "); remove NaN/Inf from the weight first");
                }
                max = Math.max(max, a);
            }
            rowmax[r] = max;
            if (max == 0f) {
                continue;
            }
            float scale = 127f / max;
            for (int c = 0; c < cols; c++) {
                codes[base + c] = (byte) Math.rint(values[base + c] * scale);
            }
        }
        return new Int8RowwiseWeight(shape.clone(), cols, codes, rowmax);
    }

    public static Int8RowwiseWeight quantize(NDArray weight) {
        return quantize(weight.toFloatArray(), Shapes.toIntShape(weight.getShape()));
    }

    @Override
    public Int8RowwiseWeight requantize(float[] values) {
        return quantize(values, shape);
    }

    @Override
    public String format() {
        return "int8-rowwise";
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** Signed int8 codes, row-major. */
    public byte[] codes() {
        return codes.clone();
    }

    /** One fp32 absmax per row ({@code SCB} in bitsandbytes). */
    public float[] rowAbsmax() {
        return rowAbsmax.clone();
    }

    @Override
    public float[] dequantize() {
        float[] out = new float[codes.length];
        for (int i = 0; i < codes.length; i++) {
            out[i] = (codes[i] * rowAbsmax[i / rowLength]) * INV_127;
        }
        return out;
    }

    /**
     * The dequantised weight computed by the engine on {@code manager}'s device from the uploaded int8 codes
     * ({@code (q · rowmax) · (1/127)} in fp32, the same two roundings as {@link #dequantize()}).
     */
    @Override
    public NDArray dequantize(NDManager manager) {
        try (NDManager scratch = manager.newSubManager()) {
            NDArray q = scratch.create(codes, new Shape(rowAbsmax.length, rowLength)).toType(DataType.FLOAT32, false);
            NDArray w = q.mul(scratch.create(rowAbsmax, new Shape(rowAbsmax.length, 1))).mul(INV_127)
                    .reshape(Shapes.toShape(shape));
            w.attach(manager);
            return w;
        }
    }

    @Override
    public long storedBytes() {
        return memoryReport().storedBytes();
    }

    @Override
    public MemoryReport memoryReport() {
        Map<String, Long> parts = new LinkedHashMap<>();
        parts.put("int8 codes", (long) codes.length);
        parts.put("row absmax fp32", 4L * rowAbsmax.length);
        return new MemoryReport(format(), numel(), parts);
    }
}
