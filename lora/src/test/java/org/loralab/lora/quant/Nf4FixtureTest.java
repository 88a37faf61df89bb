package org.loralab.lora.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * NF4 against values computed from the spec's formulas by tools/quant/make_quant_fixtures.py. Both sides do the
 * same fp32 operations in the same order, so codes, bytes, constants and dequantised values must match exactly.
 */
class Nf4FixtureTest {
    @Test
    void knownVectorsQuantiseAndDequantiseExactlyAsTheFixture() {
        JsonObject fx = QuantFixtures.load("nf4_cases.json");
        int checked = 0;
        for (JsonElement e : fx.getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            String name = c.get("name").getAsString();
            assertEquals(0, c.get("division_vs_reciprocal_code_changes").getAsInt(),
                    name + ": fixture vector sits within an ulp of a threshold");
            if (!name.startsWith("ties")) {
                // only exact midpoints separate the spec's bucketize rule from bnb's torch-backend argmin
                assertEquals(0, c.get("argmin_vs_bucketize_code_changes").getAsInt(), name);
            }
            QuantOptions opts = QuantOptions.nf4().withBlockSize(c.get("blocksize").getAsInt());
            Nf4Weight w = Nf4Weight.quantize(QuantFixtures.floats(c, "input"), QuantFixtures.ints(c, "shape"), opts);

            int[] codes = QuantFixtures.unsigned(w.codes());
            assertArrayEquals(QuantFixtures.ints(c, "codes"), codes, name + " codes");
            assertArrayEquals(QuantFixtures.hex(c, "packed_hex"), w.packed(), name + " packed bytes");
            assertArrayEquals(QuantFixtures.floats(c, "absmax"), w.blockAbsmax(), name + " absmax");
            assertArrayEquals(QuantFixtures.floats(c, "dequantized"), w.dequantize(), name + " dequantized");
            checked++;
        }
        assertEquals(4, checked);
    }

    @Test
    void tieVectorMapsEveryCodeToItselfAndMidpointsDown() {
        JsonObject c = QuantFixtures.load("nf4_cases.json").getAsJsonArray("cases").get(0).getAsJsonObject();
        assertEquals("ties_one_block", c.get("name").getAsString());
        Nf4Weight w = Nf4Weight.quantize(QuantFixtures.floats(c, "input"), new int[] {64}, QuantOptions.nf4());
        int[] codes = QuantFixtures.unsigned(w.codes());
        for (int i = 0; i < 16; i++) {
            assertEquals(i, codes[i], "code value " + i);
        }
        for (int i = 0; i < 15; i++) {
            assertEquals(i, codes[16 + i], "midpoint " + i + " goes to the lower code");
            assertEquals(i + 1, codes[31 + i], "one ulp above midpoint " + i + " goes to the upper code");
        }
        assertEquals(1.0f, w.blockAbsmax()[0]);
    }

    @Test
    void oddLengthPadsTheLastLowNibbleAndZeroBlocksGiveTheZeroCode() {
        JsonObject fx = QuantFixtures.load("nf4_cases.json");
        JsonObject odd = fx.getAsJsonArray("cases").get(1).getAsJsonObject();
        byte[] packed = QuantFixtures.hex(odd, "packed_hex");
        assertEquals(66, packed.length);
        assertEquals(0, packed[65] & 0x0F);
        JsonObject zero = fx.getAsJsonArray("cases").get(2).getAsJsonObject();
        Nf4Weight w = Nf4Weight.quantize(QuantFixtures.floats(zero, "input"), new int[] {2, 64}, QuantOptions.nf4());
        for (int i = 0; i < 64; i++) {
            assertEquals(Nf4.ZERO_INDEX, w.codes()[i]);
            assertEquals(0f, w.dequantize()[i]);
        }
        assertEquals(0f, w.blockAbsmax()[0]);
    }

    @Test
    void doubleQuantisedMatrixMatchesTheFixture() {
        JsonObject c = QuantFixtures.load("nf4_dq_96x208.json");
        JsonObject dq = c.getAsJsonObject("dq");
        Nf4Weight w = Nf4Weight.quantize(QuantFixtures.base64Floats(c, "input_b64"), new int[] {96, 208},
                QuantOptions.qlora());
        assertEquals("nf4+dq", w.format());
        assertArrayEquals(QuantFixtures.hex(c, "packed_hex"), w.packed());

        DoubleQuantizedAbsmax state = w.doubleQuantState();
        assertEquals(312, state.count());
        assertEquals(dq.get("offset").getAsFloat(), state.offset());
        assertArrayEquals(QuantFixtures.ints(dq, "qabsmax"), QuantFixtures.unsigned(state.qabsmax()));
        assertArrayEquals(QuantFixtures.floats(dq, "absmax2"), state.absmax2());
        assertArrayEquals(QuantFixtures.base64Floats(dq, "absmax_restored_b64"), w.blockAbsmax());
        assertArrayEquals(QuantFixtures.base64Floats(c, "dequantized_b64"), w.dequantize());

        Nf4Weight plain = Nf4Weight.quantize(QuantFixtures.base64Floats(c, "input_b64"), new int[] {96, 208},
                QuantOptions.nf4());
        assertArrayEquals(QuantFixtures.base64Floats(c, "absmax_b64"), plain.blockAbsmax());
        assertArrayEquals(w.codes(), plain.codes(), "double quantisation only touches the constants");
        assertTrue(dq.get("max_abs_error").getAsFloat() > 0f);
    }
}
