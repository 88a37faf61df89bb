package org.loralab.lora.hf.causal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CausalLmLossTest {

    /** tools/hf-fixtures/make_causal_loss_fixture.py: F.cross_entropy(ignore_index=-100) on shifted float64 logits. */
    static JsonObject reference() throws Exception {
        try (InputStreamReader r = new InputStreamReader(CausalLmLossTest.class.getResourceAsStream(
                "/org/loralab/lora/hf/causal/loss_reference.json"), StandardCharsets.UTF_8)) {
            return JsonParser.parseReader(r).getAsJsonObject();
        }
    }

    @Test
    void matchesTorchCrossEntropyWithIgnoreIndexOnShiftedLogits() throws Exception {
        JsonObject ref = reference();
        JsonArray shape = ref.getAsJsonArray("shape");
        int b = shape.get(0).getAsInt();
        int t = shape.get(1).getAsInt();
        int v = shape.get(2).getAsInt();
        float[] logits = new float[b * t * v];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = ref.getAsJsonArray("logits").get(i).getAsFloat();
        }
        long[] labels = new long[b * t];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = ref.getAsJsonArray("labels").get(i).getAsLong();
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(logits, new Shape(b, t, v));
            NDArray y = m.create(labels, new Shape(b, t));
            float loss = new CausalLmLoss().evaluate(new NDList(y), new NDList(x)).getFloat();
            // float32 logits against a float64 reference: 1e-5 relative
            assertEquals(ref.get("loss").getAsDouble(), loss, 1e-5 * ref.get("loss").getAsDouble());
            float row0 = new CausalLmLoss().evaluate(new NDList(y.get("0:1")), new NDList(x.get("0:1"))).getFloat();
            assertEquals(ref.get("row0_loss").getAsDouble(), row0, 1e-5 * ref.get("row0_loss").getAsDouble());
        }
    }

    @Test
    void ignoredPositionsDoNotCountAndAllIgnoredIsNaN() {
        try (NDManager m = NDManager.newBaseManager()) {
            // logits at t predict label t+1: only label 1 at position 2 counts, scored by logits row 1
            NDArray x = m.create(new float[] {0, 0, 0, 5, 1, 2, 9, 9, 9}, new Shape(1, 3, 3));
            NDArray y = m.create(new long[] {-100, -100, 1}, new Shape(1, 3));
            double expected = -(1 - Math.log(Math.exp(5) + Math.exp(1) + Math.exp(2)));
            assertEquals(expected, new CausalLmLoss().evaluate(new NDList(y), new NDList(x)).getFloat(), 1e-5);
            NDArray none = m.create(new long[] {3, -100, -100}, new Shape(1, 3));
            assertTrue(Float.isNaN(new CausalLmLoss().evaluate(new NDList(none), new NDList(x)).getFloat()));
        }
    }
}
