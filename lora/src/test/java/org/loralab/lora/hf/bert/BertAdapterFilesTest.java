package org.loralab.lora.hf.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.loralab.lora.hf.bert.BertFixtures.assertClose;
import static org.loralab.lora.hf.bert.BertFixtures.longs;

import ai.djl.ndarray.NDArray;

import com.google.gson.JsonObject;

import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.io.safetensors.Safetensors;
import org.loralab.lora.io.safetensors.TensorSource;
import org.loralab.lora.testing.ManagedTest;

/** A LoRA adapter with the classifier saved, in PEFT's layout, from one loaded model onto a fresh copy. */
class BertAdapterFilesTest extends ManagedTest {

    @ParameterizedTest
    @ValueSource(strings = {"bert", "roberta"})
    void adapterSavedFromALoadedModelLoadsOntoAFreshOne(String name, @TempDir Path tmp) {
        JsonObject e = BertFixtures.expected(name);
        long[][] ids = longs(e, "input_ids");
        long[][] mask = longs(e, "attention_mask");
        AdapterConfig config = AdapterConfig.builder().r(8).alpha(16).targetModules("query", "value").dropout(0.1)
                .bias("none").modulesToSave("classifier").seed(0).build();
        float[] trained;
        try (SequenceClassifier cls = SequenceClassifier.load(BertFixtures.dir(name))) {
            AdaptedModel am = AdaptedModel.inject(cls.model(), config);
            for (org.loralab.lora.variant.AdapterParam p : am.trainableParameterMap().values()) {
                NDArray a = p.parameter().getArray();
                a.addi(a.getManager().randomNormal(0f, 0.05f, a.getShape(), a.getDataType()));
            }
            trained = cls.logits(m, ids, mask).toFloatArray();
            am.save(tmp.resolve("adapter"), AdaptedModel.DEFAULT);
        }
        try (TensorSource saved = Safetensors.open(tmp.resolve("adapter").resolve("adapter_model.safetensors"))) {
            Set<String> keys = new TreeSet<>(saved.tensors().keySet());
            String head = name.equals("bert") ? "classifier.weight" : "classifier.out_proj.weight";
            assertTrue(keys.contains("base_model.model." + name + ".encoder.layer.1.attention.self.value.lora_B.weight")
                    && keys.contains("base_model.model." + head), keys.toString());
            assertEquals(2 * 2 * 2 + (name.equals("bert") ? 2 : 4), keys.size(), keys.toString());
        }
        try (SequenceClassifier fresh = SequenceClassifier.load(BertFixtures.dir(name))) {
            float[] base = fresh.logits(m, ids, mask).toFloatArray();
            AdaptedModel.of(fresh.model()).load(tmp.resolve("adapter"), AdaptedModel.DEFAULT);
            assertClose(trained, fresh.logits(m, ids, mask).toFloatArray(), 1e-5, name + " reloaded adapter logits");
            double moved = 0;
            for (int i = 0; i < base.length; i++) {
                moved = Math.max(moved, Math.abs(base[i] - trained[i]));
            }
            assertTrue(moved > 1e-3, "the adapter must change the outputs for this test to mean anything: " + moved);
        }
    }
}
