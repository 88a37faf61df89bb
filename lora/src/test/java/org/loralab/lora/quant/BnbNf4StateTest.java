package org.loralab.lora.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BnbNf4StateTest {
    private static final String KEY = "model.layers.0.self_attn.q_proj.weight";

    @Test
    void keysFollowTheBitsandbytesPackedFormat() {
        float[] w = QuantRoundTripTest.gaussian(40 * 70, 0.1, 21);
        Map<String, BnbNf4State.Tensor> plain = BnbNf4State.toTensors(KEY, Nf4Weight.quantize(w, new int[] {40, 70},
                QuantOptions.nf4()));
        assertEquals(List.of(KEY, KEY + ".absmax", KEY + ".quant_map", KEY + ".quant_state.bitsandbytes__nf4"),
                List.copyOf(plain.keySet()));
        assertArrayEquals(new long[] {1400, 1}, plain.get(KEY).shape());
        Map<String, BnbNf4State.Tensor> dq = BnbNf4State.toTensors(KEY, Nf4Weight.quantize(w, new int[] {40, 70},
                QuantOptions.qlora()));
        assertEquals(List.of(KEY, KEY + ".absmax", KEY + ".nested_absmax", KEY + ".nested_quant_map", KEY + ".quant_map",
                KEY + ".quant_state.bitsandbytes__nf4"), List.copyOf(dq.keySet()));
        assertEquals("U8", dq.get(KEY + ".absmax").dtype());
        String json = new String(dq.get(KEY + BnbNf4State.QUANT_STATE_SUFFIX).data(), StandardCharsets.UTF_8);
        assertEquals(true, json.contains("\"quant_type\":\"nf4\"") && json.contains("\"shape\":[40,70]")
                && json.contains("\"nested_blocksize\":256") && json.contains("\"nested_offset\""), json);
    }

    @Test
    void roundTripReproducesTheWeightExactly() {
        float[] w = QuantRoundTripTest.gaussian(64 * 300 + 5, 0.1, 22);
        for (QuantOptions opts : List.of(QuantOptions.nf4(), QuantOptions.qlora(), QuantOptions.nf4().withBlockSize(128))) {
            Nf4Weight q = Nf4Weight.quantize(w, new int[] {w.length}, opts);
            Nf4Weight back = BnbNf4State.fromTensors(KEY, BnbNf4State.toTensors(KEY, q));
            assertEquals(q.format(), back.format());
            assertArrayEquals(q.packed(), back.packed());
            assertArrayEquals(q.dequantize(), back.dequantize());
            assertEquals(q.storedBytes(), back.storedBytes());
        }
    }

    @Test
    void missingOrForeignStateIsRejected() {
        Nf4Weight q = Nf4Weight.quantize(new float[128], new int[] {128}, QuantOptions.nf4());
        Map<String, BnbNf4State.Tensor> t = new HashMap<>(BnbNf4State.toTensors(KEY, q));
        t.remove(KEY + ".absmax");
        assertThrows(IllegalArgumentException.class, () -> BnbNf4State.fromTensors(KEY, t));
        Map<String, BnbNf4State.Tensor> fp4 = new HashMap<>(BnbNf4State.toTensors(KEY, q));
        byte[] json = "{\"quant_type\":\"fp4\",\"blocksize\":64,\"dtype\":\"float32\",\"shape\":[128]}"
                .getBytes(StandardCharsets.UTF_8);
        fp4.put(KEY + BnbNf4State.QUANT_STATE_SUFFIX, new BnbNf4State.Tensor("U8", new long[] {json.length}, json));
        assertThrows(IllegalArgumentException.class, () -> BnbNf4State.fromTensors(KEY, fp4));
        assertThrows(IllegalArgumentException.class,
                () -> Nf4Weight.of(new int[] {128}, 64, new byte[63], new float[2], null));
    }
}
