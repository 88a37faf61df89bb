package org.loralab.lora.hf.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.hf.generate.GenerationConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.train.ParamInfo;
import org.loralab.lora.train.TrainableParams;

/** PEFT's q_proj,v_proj LoRA on a loaded checkpoint: counts, names, and training that moves only adapters. */
class LlamaLoraTest {

    @Test
    void qvLoraHasPeftsTrainableCountAndNames() {
        try (CausalLm lm = LlamaFixtures.load("llama-tiny")) {
            LlamaConfig c = lm.llamaConfig();
            long all = lm.causalLm().getParameters().values().stream().mapToLong(p -> p.getArray().size()).sum();
            AdaptedModel am = AdaptedModel.inject(lm.model(), AdapterConfig.builder().r(16).alpha(32)
                    .targetModules("q_proj", "v_proj").dropout(0.1).bias("none").seed(0).build());
            // per layer: q_proj r*(hidden + heads*headDim), v_proj r*(hidden + kvHeads*headDim)
            long perLayer = 16L * (c.hiddenSize() + (long) c.heads() * c.headDim())
                    + 16L * (c.hiddenSize() + (long) c.kvHeads() * c.headDim());
            assertEquals(c.layers() * perLayer, am.trainableParameters());
            assertEquals(2L * 16 * (32 + 64) + 2L * 16 * (32 + 32), am.trainableParameters());
            assertEquals(all + am.trainableParameters(), am.allParameters());
            assertEquals(4, am.layers().size());
            assertTrue(am.trainableParameterMap().containsKey("model.layers.1.self_attn.v_proj.lora_B.default.weight"),
                    am.trainableParameterMap().keySet().toString());
        }
    }

    @Test
    void trainingStepsMoveOnlyTheAdapterTensorsAndGenerationSeesThem() {
        long[] prompt = LlamaFixtures.longs(LlamaFixtures.expected("llama-tiny").getAsJsonArray("prompt"));
        try (CausalLm lm = LlamaFixtures.load("llama-tiny"); NDManager m = NDManager.newBaseManager()) {
            long[] before = lm.generate(prompt, GenerationConfig.builder().maxNewTokens(8).build(), null).tokens();
            AdaptedModel am = AdaptedModel.inject(lm.model(), AdapterConfig.builder().r(16).alpha(32)
                    .targetModules("q_proj", "v_proj").bias("none").seed(0).build());
            Map<String, float[]> start = snapshot(lm);
            Set<Parameter> trainable = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
            for (ParamInfo p : TrainableParams.of(am)) {
                trainable.add(p.parameter());
            }
            NDArray ids = m.create(new long[] {5, 9, 14, 30, 31, 60, 77, 90, 100, 3}).reshape(1, 10);
            NDArray inputs = ids.get(new NDIndex(":, :-1"));
            NDArray labels = ids.get(new NDIndex(":, 1:"));
            float first = 0;
            float last = 0;
            for (int step = 0; step < 4; step++) {
                try (GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                    NDArray logits = lm.causalLm().forward(new ParameterStore(m, false), new NDList(inputs), true)
                            .head();
                    NDArray loss = Loss.softmaxCrossEntropyLoss().evaluate(new NDList(labels.reshape(-1)),
                            new NDList(logits.reshape(-1, lm.llamaConfig().vocabSize())));
                    gc.backward(loss);
                    last = loss.getFloat();
                    if (step == 0) {
                        first = last;
                    }
                }
                for (Parameter p : trainable) {
                    NDArray a = p.getArray();
                    NDArray updated = a.sub(a.getGradient().mul(0.5f));
                    a.setRequiresGradient(false);
                    a.set(updated.toFloatArray());
                    a.setRequiresGradient(true);
                }
            }
            assertTrue(last < first, "loss " + first + " -> " + last);
            Map<String, float[]> end = snapshot(lm);
            int moved = 0;
            for (Pair<String, Parameter> p : lm.causalLm().getParameters()) {
                boolean changed = !java.util.Arrays.equals(start.get(p.getKey()), end.get(p.getKey()));
                assertEquals(trainable.contains(p.getValue()), changed, p.getKey());
                moved += changed ? 1 : 0;
            }
            assertEquals(8, moved, "lora_A and lora_B of q_proj and v_proj in both layers");
            long[] after = lm.generate(prompt, GenerationConfig.builder().maxNewTokens(8).build(), null).tokens();
            assertFalse(java.util.Arrays.equals(before, after), "generation runs through the trained adapters");
            try (org.loralab.lora.inject.AdapterScope off = am.disable()) {
                assertArrayEquals(before, lm.generate(prompt, GenerationConfig.builder().maxNewTokens(8).build(), null)
                        .tokens(), "adapters disabled: the base model's tokens");
            }
        }
    }

    private static Map<String, float[]> snapshot(CausalLm lm) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : lm.causalLm().getParameters()) {
            out.put(p.getKey(), p.getValue().getArray().toFloatArray());
        }
        return out;
    }
}
