package org.loralab.lora.hf.vit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;

import com.google.gson.JsonObject;

import org.junit.jupiter.api.Test;
import org.loralab.lora.hf.VitFixtures;
import org.loralab.lora.models.HiddenAct;
import org.loralab.lora.testing.ManagedTest;

/** hidden_act values against the float64 formulas of make_vit_fixture.py, on [-4, 4]. */
class HiddenActTest extends ManagedTest {
    @Test
    void activationsMatchTheReferenceFormulas() {
        JsonObject a = VitFixtures.expected().getAsJsonObject("activations");
        NDArray x = m.create(VitFixtures.floats(a.getAsJsonArray("x")));
        String[][] cases = {{"gelu", "gelu"}, {"gelu_new", "gelu_new"}, {"gelu_pytorch_tanh", "gelu_new"},
            {"gelu_fast", "gelu_new"}, {"quick_gelu", "quick_gelu"}, {"relu", "relu"}, {"silu", "silu"},
            {"swish", "silu"}, {"tanh", "tanh"}};
        for (String[] c : cases) {
            float[] got = HiddenAct.of("hidden_act", c[0]).apply(x).toFloatArray();
            VitFixtures.assertClose(VitFixtures.floats(a.getAsJsonArray(c[1])), got, 2e-6, c[0]);
        }
    }

    @Test
    void exactAndTanhGeluDiffer() {
        JsonObject a = VitFixtures.expected().getAsJsonObject("activations");
        float[] exact = VitFixtures.floats(a.getAsJsonArray("gelu"));
        float[] tanh = VitFixtures.floats(a.getAsJsonArray("gelu_new"));
        double d = 0;
        for (int i = 0; i < exact.length; i++) {
            d = Math.max(d, Math.abs(exact[i] - tanh[i]));
        }
        assertTrue(d > 1e-4, "the reference must tell the two apart: " + d);
    }

    @Test
    void unknownNameListsTheSupportedOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HiddenAct.of("hidden_act", "mish"));
        assertTrue(e.getMessage().contains("mish") && e.getMessage().contains("gelu_new"), e.getMessage());
        assertEquals(HiddenAct.GELU, HiddenAct.of("hidden_act", "gelu"));
    }
}
