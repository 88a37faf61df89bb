package org.loralab.lora.hf.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loralab.lora.hf.StateDicts;

/** Config fields: what is honoured, what is refused by name, and the module / state-dict names. */
class LlamaConfigTest {

    private static Map<String, Object> base() {
        Map<String, Object> m = new HashMap<>();
        m.put("model_type", "llama");
        m.put("hidden_size", 32);
        m.put("num_attention_heads", 4);
        m.put("num_hidden_layers", 2);
        m.put("intermediate_size", 64);
        m.put("vocab_size", 100);
        return m;
    }

    private static String refusal(Map<String, Object> m) {
        return assertThrows(IllegalArgumentException.class, () -> LlamaConfig.fromFields(m::get)).getMessage();
    }

    @Test
    void unsupportedRopeTypeIsRefusedWithTheField(@TempDir Path dir) throws Exception {
        LlamaFixtures.withConfigEdit("llama-tiny", dir, "\"rope_type\": \"llama3\"", "\"rope_type\": \"yarn\"");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LlamaFixtures.load(dir, DataType.FLOAT32));
        assertTrue(e.getMessage().contains("rope_scaling") && e.getMessage().contains("yarn"), e.getMessage());
    }

    @Test
    void fieldsThatWouldChangeTheMathAreRefusedByName() {
        Map<String, Object> m = base();
        m.put("hidden_act", "gelu");
        assertTrue(refusal(m).contains("hidden_act"));
        m = base();
        m.put("partial_rotary_factor", 0.5);
        assertTrue(refusal(m).contains("partial_rotary_factor"));
        m = base();
        m.put("num_key_value_heads", 3);
        assertTrue(refusal(m).contains("num_key_value_heads"));
        m = base();
        m.put("rope_scaling", Map.of("type", "linear", "factor", 2.0));
        assertTrue(refusal(m).contains("linear"));
        m = base();
        m.put("rope_scaling", Map.of("rope_type", "llama3", "factor", 8.0));
        assertTrue(refusal(m).contains("low_freq_factor"));
        m = base();
        m.put("model_type", "gemma");
        assertTrue(refusal(m).contains("gemma"));
        m = base();
        m.put("attention_dropout", 0.1);
        assertTrue(refusal(m).contains("attention_dropout"));
    }

    @Test
    void defaultsAndFamilyDifferences() {
        Map<String, Object> m = base();
        m.put("unknown_field", "ignored");
        LlamaConfig c = LlamaConfig.fromFields(m::get);
        assertEquals(8, c.headDim());
        assertEquals(4, c.kvHeads());
        assertEquals(10000.0, c.rope().theta());
        assertTrue(!c.tieWordEmbeddings() && !c.qkvBias());
        m.put("model_type", "qwen2");
        m.put("sliding_window", 16);
        LlamaConfig qwen = LlamaConfig.fromFields(m::get);
        assertTrue(qwen.qkvBias() && !qwen.outputBias());
        assertEquals(0, qwen.slidingWindow(), "Qwen2's window applies only with use_sliding_window");
        m.put("model_type", "mistral");
        assertEquals(16, LlamaConfig.fromFields(m::get).slidingWindow());
        m.put("model_type", "llama");
        m.put("rope_parameters", Map.of("rope_type", "default", "rope_theta", 500000.0));
        assertEquals(500000.0, LlamaConfig.fromFields(m::get).rope().theta(), "transformers v5 rope_parameters");
    }

    @Test
    void llama3ScalingKeepsHighSlowsLowAndInterpolatesBetween() {
        RopeScaling r = new RopeScaling(10000, 16, "llama3", 8, 1, 4, 64);
        float[] scaled = r.inverseFrequencies();
        float[] plain = new RopeScaling(10000, 16, "default", 1, 1, 1, 1).inverseFrequencies();
        assertEquals(plain[0], scaled[0]); // wavelength 6.3 < 64/4
        assertEquals(plain[7] / 8, scaled[7], 1e-12); // wavelength 2e4 > 64
        double wavelength = 2 * Math.PI / plain[1]; // 20: between 16 and 64
        double s = (64 / wavelength - 1) / 3;
        assertEquals((1 - s) * plain[1] / 8 + s * plain[1], scaled[1], 1e-7);
    }

    @Test
    void moduleAndStateDictNamesAreTransformers() {
        LlamaConfig c = LlamaConfig.fromFields(base()::get);
        try (NDManager m = NDManager.newBaseManager()) {
            LlamaForCausalLm lm = new LlamaForCausalLm(c);
            lm.initialize(m, DataType.FLOAT32, new ai.djl.ndarray.types.Shape(1, 1));
            assertArrayEquals(new String[] {"model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight",
                "model.layers.0.self_attn.k_proj.weight", "model.layers.0.self_attn.v_proj.weight",
                "model.layers.0.self_attn.o_proj.weight", "model.layers.0.mlp.gate_proj.weight",
                "model.layers.0.mlp.up_proj.weight", "model.layers.0.mlp.down_proj.weight",
                "model.layers.0.input_layernorm.weight", "model.layers.0.post_attention_layernorm.weight"},
                StateDicts.parameters(lm).keySet().stream().limit(10).toArray(String[]::new));
            assertTrue(StateDicts.parameters(lm).containsKey("lm_head.weight"));
            assertTrue(StateDicts.parameters(lm).containsKey("model.norm.weight"));
            assertEquals(1 + 2 * 9 + 1 + 1, StateDicts.parameters(lm).size()); // embed, 9 per layer, norm, lm_head
        }
    }

    @Test
    void llamaBiasFlagsAddTheBiasParametersTransformersHas() {
        Map<String, Object> m = base();
        m.put("attention_bias", true);
        m.put("mlp_bias", true);
        try (NDManager nd = NDManager.newBaseManager()) {
            LlamaForCausalLm lm = new LlamaForCausalLm(LlamaConfig.fromFields(m::get));
            lm.initialize(nd, DataType.FLOAT32, new ai.djl.ndarray.types.Shape(1, 1));
            java.util.Set<String> names = StateDicts.parameters(lm).keySet();
            for (String p : new String[] {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
                "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"}) {
                assertTrue(names.contains("model.layers.1." + p + ".bias"), p);
            }
            assertTrue(!names.contains("lm_head.bias"));
            m.put("model_type", "qwen2"); // Qwen2: q/k/v bias whatever attention_bias says, none on o_proj or the MLP
            LlamaForCausalLm qwen = new LlamaForCausalLm(LlamaConfig.fromFields(m::get));
            qwen.initialize(nd, DataType.FLOAT32, new ai.djl.ndarray.types.Shape(1, 1));
            java.util.Set<String> q = StateDicts.parameters(qwen).keySet();
            assertTrue(q.contains("model.layers.0.self_attn.k_proj.bias"));
            assertTrue(!q.contains("model.layers.0.self_attn.o_proj.bias") && !q.contains("model.layers.0.mlp.up_proj.bias"));
        }
    }

    @Test
    void sequencesBeyondTheSlidingWindowAreRefused() {
        Map<String, Object> m = base();
        m.put("model_type", "mistral");
        m.put("sliding_window", 4);
        LlamaForCausalLm lm = new LlamaForCausalLm(LlamaConfig.fromFields(m::get));
        try (NDManager nd = NDManager.newBaseManager()) {
            lm.initialize(nd, DataType.FLOAT32, new ai.djl.ndarray.types.Shape(1, 1));
            NDArray ok = nd.create(new long[] {1, 2, 3, 4}).reshape(1, 4);
            lm.logits(new ai.djl.training.ParameterStore(nd, false), ok, null, null, false, null);
            NDArray tooLong = nd.create(new long[] {1, 2, 3, 4, 5}).reshape(1, 5);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> lm.logits(new ai.djl.training.ParameterStore(nd, false), tooLong, null, null, false, null));
            assertTrue(e.getMessage().contains("sliding_window"), e.getMessage());
        }
    }
}
