package org.loralab.lora.io.safetensors;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writer layout against a file written from the format spec (tools/hf-fixtures/safetensors_reference.py); reads. */
class SafetensorsRoundTripTest {
    @TempDir
    Path dir;
    private NDManager m;

    @BeforeEach
    void setUp() {
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    private static byte[] resource(String name) throws Exception {
        try (InputStream in = SafetensorsRoundTripTest.class.getResourceAsStream("/safetensors/" + name)) {
            assertNotNull(in, "regenerate with /usr/bin/python3 tools/hf-fixtures/safetensors_reference.py");
            return in.readAllBytes();
        }
    }

    /** The tensors of reference.safetensors, built in Java (insertion order deliberately not the file order). */
    private Map<String, NDArray> referenceTensors() {
        Map<String, NDArray> t = new LinkedHashMap<>();
        t.put("model.b.weight", m.create(new float[] {1.5f, -2f, 0.25f, 3.0e-40f, Float.POSITIVE_INFINITY, -0f}, new Shape(2, 3)));
        t.put("model.a.bias", m.create(new float[] {0.1f, 0.2f, 0.3f}));
        t.put("half", m.create(new float[] {1f, -2.5f, 6.1035156e-05f, 65504f}, new Shape(2, 2)).toType(DataType.FLOAT16, false));
        t.put("ids", m.create(new long[] {7, -3}));
        t.put("scalar", m.create(42f).reshape(new Shape()));
        t.put("empty", m.create(new Shape(0, 4), DataType.FLOAT32));
        return t;
    }

    @Test
    void writerMatchesTheSpecReferenceByteForByte() throws Exception {
        Path out = dir.resolve("java.safetensors");
        Safetensors.write(out, referenceTensors(), Map.of("note", "héllo \"q\"\n"));
        byte[] expected = resource("reference.safetensors");
        byte[] actual = Files.readAllBytes(out);
        long n = ByteBuffer.wrap(actual, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "header padded to 8 bytes");
        assertEquals(' ', (char) actual[(int) (8 + n - 1)], "padding is spaces");
        assertEquals(new String(expected, StandardCharsets.UTF_8), new String(actual, StandardCharsets.UTF_8));
        assertArrayEquals(expected, actual);
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(out), s.toList(), "no temp file left");
        }
    }

    @Test
    void readsTheReferenceFile() throws Exception {
        Path f = Files.write(dir.resolve("ref.safetensors"), resource("reference.safetensors"));
        try (TensorSource src = Safetensors.open(f)) {
            assertEquals(List.of("ids", "empty", "model.a.bias", "model.b.weight", "scalar", "half"),
                    List.copyOf(src.tensors().keySet()), "file order");
            assertEquals(Map.of("format", "pt", "note", "héllo \"q\"\n"), src.metadata());
            TensorInfo w = src.tensors().get("model.b.weight");
            assertEquals("F32", w.dtype());
            assertArrayEquals(new long[] {2, 3}, w.shape());
            assertEquals(6, w.elements());
            assertEquals(f, src.file("model.b.weight"));
            NDArray a = src.read("model.b.weight", m, DataType.FLOAT32);
            assertEquals(new Shape(2, 3), a.getShape());
            assertArrayEquals(new float[] {1.5f, -2f, 0.25f, 3.0e-40f, Float.POSITIVE_INFINITY, -0f}, a.toFloatArray());
            assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(a.toFloatArray()[5]));
            NDArray h = src.read("half", m, DataType.FLOAT32);
            assertEquals(DataType.FLOAT32, h.getDataType());
            assertArrayEquals(new float[] {1f, -2.5f, 6.1035156e-05f, 65504f}, h.toFloatArray());
            NDArray h16 = src.read("half", m, DataType.FLOAT16);
            assertEquals(DataType.FLOAT16, h16.getDataType());
            assertArrayEquals(h.toFloatArray(), h16.toType(DataType.FLOAT32, false).toFloatArray());
            NDArray ids = src.read("ids", m, DataType.FLOAT32);
            assertEquals(DataType.INT64, ids.getDataType(), "integer tensors keep their type");
            assertArrayEquals(new long[] {7, -3}, ids.toLongArray());
            assertEquals(new Shape(), src.read("scalar", m, DataType.FLOAT32).getShape());
            assertEquals(new Shape(0, 4), src.read("empty", m, DataType.FLOAT32).getShape());
            assertEquals(DataType.FLOAT64, src.read("model.a.bias", m, DataType.FLOAT64).getDataType());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> src.read("nope", m, DataType.FLOAT32));
            assertTrue(e.getMessage().contains("'nope'") && e.getMessage().contains(f.toString()), e.getMessage());
            IllegalArgumentException bf = assertThrows(IllegalArgumentException.class,
                    () -> src.read("half", m, DataType.BFLOAT16));
            assertTrue(bf.getMessage().contains("float32"), bf.getMessage());
        }
    }

    @Test
    void f16AndBf16WidenBitExactlyAsTorchDoes() throws Exception {
        JsonObject table = JsonParser.parseString(new String(resource("half_to_float.json"), StandardCharsets.UTF_8)).getAsJsonObject();
        JsonArray bits = table.getAsJsonArray("bits");
        int n = bits.size();
        ByteBuffer data = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < 2; k++) {
            for (int i = 0; i < n; i++) {
                data.putShort((short) bits.get(i).getAsInt());
            }
        }
        String header = "{\"f16\":{\"dtype\":\"F16\",\"shape\":[" + n + "],\"data_offsets\":[0," + 2 * n + "]},"
                + "\"bf16\":{\"dtype\":\"BF16\",\"shape\":[" + n + "],\"data_offsets\":[" + 2 * n + "," + 4 * n + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        Path f = RawSafetensors.write(dir.resolve("half.safetensors"), h.length, h, data.array());
        try (TensorSource src = Safetensors.open(f)) {
            for (String kind : List.of("f16", "bf16")) {
                float[] got = src.read(kind, m, DataType.FLOAT32).toFloatArray();
                JsonArray want = table.getAsJsonArray(kind);
                for (int i = 0; i < n; i++) {
                    int w = (int) want.get(i).getAsLong();
                    assertEquals(Integer.toHexString(w), Integer.toHexString(Float.floatToRawIntBits(got[i])),
                            kind + " bits 0x" + Integer.toHexString(bits.get(i).getAsInt()));
                    int direct = kind.equals("f16") ? HalfFloats.f16ToF32Bits((short) bits.get(i).getAsInt())
                            : HalfFloats.bf16ToF32Bits((short) bits.get(i).getAsInt());
                    assertEquals(w, direct);
                }
            }
        }
    }

    @Test
    void handTableOfHalfConversions() {
        assertEquals(0x33800000, HalfFloats.f16ToF32Bits((short) 0x0001), "smallest subnormal 2^-24");
        assertEquals(0x387fc000, HalfFloats.f16ToF32Bits((short) 0x03ff), "largest subnormal 1023 * 2^-24");
        assertEquals(0x38800000, HalfFloats.f16ToF32Bits((short) 0x0400), "smallest normal 2^-14");
        assertEquals(0x477fe000, HalfFloats.f16ToF32Bits((short) 0x7bff), "65504");
        assertEquals(0xff800000, HalfFloats.f16ToF32Bits((short) 0xfc00), "-inf");
        assertEquals(0x7fc02000, HalfFloats.f16ToF32Bits((short) 0x7c01), "signalling NaN comes out quiet, payload kept");
        assertEquals(0x80000000, HalfFloats.f16ToF32Bits((short) 0x8000), "-0");
        assertEquals(0x3f800000, HalfFloats.bf16ToF32Bits((short) 0x3f80));
        assertEquals(0x7f810000, HalfFloats.bf16ToF32Bits((short) 0x7f81), "bf16 NaN payload kept as is");
    }

    @Test
    void roundTripOfF32AndF16() throws Exception {
        Path f = dir.resolve("rt.safetensors");
        float[] vals = {0f, -0f, 1e-45f, 3.4e38f, Float.NaN, Float.NEGATIVE_INFINITY, 0.1f, -7.25f};
        Map<String, NDArray> t = new LinkedHashMap<>();
        t.put("x", m.create(vals, new Shape(2, 4)));
        t.put("y", m.create(new float[] {1f, 0.5f, Float.NaN, Float.POSITIVE_INFINITY, 5.96e-8f}).toType(DataType.FLOAT16, false));
        Safetensors.write(f, t, Map.of());
        try (TensorSource src = Safetensors.open(f)) {
            float[] x = src.read("x", m, DataType.FLOAT32).toFloatArray();
            for (int i = 0; i < vals.length; i++) {
                assertEquals(Float.floatToRawIntBits(vals[i]), Float.floatToRawIntBits(x[i]), "x[" + i + "]");
            }
            assertEquals("F16", src.tensors().get("y").dtype());
            float[] y = src.read("y", m, DataType.FLOAT32).toFloatArray();
            assertEquals(1f, y[0]);
            assertEquals(0.5f, y[1]);
            assertTrue(Float.isNaN(y[2]));
            assertEquals(Float.POSITIVE_INFINITY, y[3]);
            assertEquals(5.9604645e-8f, y[4], "f16 subnormal 2^-24");
            assertEquals(Map.of("format", "pt"), src.metadata());
        }
    }

    @Test
    void failedWriteLeavesNoFileAndKeepsTheOldOne() throws Exception {
        Path f = dir.resolve("keep.safetensors");
        Files.writeString(f, "old");
        Map<String, NDArray> t = new LinkedHashMap<>();
        t.put("ok", m.create(new float[] {1f}));
        t.put("closed", m.create(new float[] {2f}));
        t.get("closed").close();
        assertThrows(RuntimeException.class, () -> Safetensors.write(f, t, Map.of()));
        assertEquals("old", Files.readString(f));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(f), s.toList(), "no temp file left");
        }
        Path missingDir = dir.resolve("no/such/dir/x.safetensors");
        java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class,
                () -> Safetensors.write(missingDir, Map.of("a", m.create(new float[] {1f})), Map.of()));
        assertTrue(e.getMessage().contains("no such file or directory"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("no")));
    }

    @Test
    void writerRefusesReservedNamesAndBadMetadata() {
        Path f = dir.resolve("x.safetensors");
        assertThrows(IllegalArgumentException.class,
                () -> Safetensors.write(f, Map.of("__metadata__", m.create(new float[] {1f})), Map.of()));
        Map<String, String> nullValue = new LinkedHashMap<>();
        nullValue.put("k", null);
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(f, Map.of("a", m.create(new float[] {1f})), nullValue));
        assertFalse(Files.exists(f));
    }
}
