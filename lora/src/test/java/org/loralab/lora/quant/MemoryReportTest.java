package org.loralab.lora.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class MemoryReportTest {
    private static final int OUT = 768;
    private static final int IN = 768;

    @Test
    void nf4StoredBaseIsAtMostThirtyPercentOfFp32WithAndWithoutDoubleQuant() {
        float[] w = QuantRoundTripTest.gaussian(OUT * IN, 0.02, 4);
        int[] shape = {OUT, IN};
        long n = (long) OUT * IN;
        MemoryReport nf4 = Nf4Weight.quantize(w, shape, QuantOptions.nf4()).memoryReport();
        MemoryReport dq = Nf4Weight.quantize(w, shape, QuantOptions.qlora()).memoryReport();
        MemoryReport int8 = Int8RowwiseWeight.quantize(w, shape).memoryReport();
        System.out.println(nf4);
        System.out.println(dq);
        System.out.println(int8);
        System.out.print(MemoryReport.table(java.util.List.of(nf4, dq, int8)));

        // exact byte counts: n/2 packed + one fp32 per 64 (+ 16-entry fp32 code book)
        assertEquals(n / 2 + 4 * (n / 64) + 64, nf4.storedBytes());
        // n/2 packed + one uint8 per 64 + fp32 per 256 blocks + offset + 256-entry nested map + code book
        assertEquals(n / 2 + n / 64 + 4 * ((n / 64 + 255) / 256) + 4 + 1024 + 64, dq.storedBytes());
        assertEquals(n + 4L * OUT, int8.storedBytes());

        assertTrue(nf4.ratio() <= 0.30, "NF4 ratio " + nf4.ratio());
        assertTrue(dq.ratio() <= 0.30, "NF4+DQ ratio " + dq.ratio());
        assertTrue(dq.ratio() < nf4.ratio());
        assertEquals(4.5, nf4.bitsPerValue(), 0.01); // 4 + 32/64
        assertEquals(4.127, dq.bitsPerValue(), 0.02); // 4 + 8/64 + 32/(64*256) + tables
    }

    @Test
    void totalsAddUpAcrossLayers() {
        MemoryReport a = Nf4Weight.quantize(new float[64 * 64], new int[] {64, 64}, QuantOptions.nf4()).memoryReport();
        MemoryReport b = Nf4Weight.quantize(new float[64 * 128], new int[] {64, 128}, QuantOptions.nf4()).memoryReport();
        MemoryReport t = MemoryReport.total("nf4", java.util.List.of(a, b));
        assertEquals(a.numel() + b.numel(), t.numel());
        assertEquals(a.storedBytes() + b.storedBytes(), t.storedBytes());
    }

    @Test
    void dequantizeToNdArrayKeepsShapeAndValues() {
        float[] w = QuantRoundTripTest.gaussian(6 * 80, 1, 5);
        Nf4Weight q = Nf4Weight.quantize(w, new int[] {6, 80}, QuantOptions.qlora());
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray arr = q.dequantize(manager);
            assertEquals(new Shape(6, 80), arr.getShape());
            assertArrayEquals(q.dequantize(), arr.toFloatArray());
            Nf4Weight again = Nf4Weight.quantize(manager.create(w, new Shape(6, 80)), QuantOptions.qlora());
            assertArrayEquals(q.packed(), again.packed());
        }
    }
}
