package org.loralab.lora.hf.vit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.hf.HfConfig;
import org.loralab.lora.hf.VitFixtures;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.io.safetensors.Safetensors;
import org.loralab.lora.io.safetensors.TensorInfo;
import org.loralab.lora.io.safetensors.TensorSource;
import org.loralab.lora.models.Vit;
import org.loralab.lora.models.VitConfig;
import org.loralab.lora.testing.ManagedTest;
import org.loralab.lora.variant.qlora.QLoraReport;

/** PEFT's image-classification recipe on a loaded ViT: LoRA r=16, alpha=16 on query,value, classifier saved. */
class VitLoraTest extends ManagedTest {
    private static final int R = 16;

    private static AdapterConfig.Builder recipe() {
        return AdapterConfig.builder().r(R).alpha(16).targetModules("query", "value").dropout(0.1).bias("none")
                .modulesToSave("classifier").seed(0);
    }

    /** Scalars of transformers' ViTForImageClassification (no pooler), from the config alone. */
    static long baseParameters(VitConfig c) {
        long d = c.hiddenSize();
        long f = c.mlpDim();
        long patch = (long) c.channels() * c.patchSize() * c.patchSize() * d + d;
        long embeddings = patch + d + (long) c.sequenceLength() * d;
        long qkv = 3 * (d * d + (c.qkvBias() ? d : 0));
        long layer = qkv + (d * d + d) + (d * f + f) + (f * d + d) + 4 * d;
        return embeddings + c.layers() * layer + 2 * d + head(c);
    }

    static long head(VitConfig c) {
        return (long) c.hiddenSize() * c.classes() + c.classes();
    }

    /** PEFT: r x in for lora_A plus out x r for lora_B, on query and value of every layer. */
    static long loraParameters(VitConfig c) {
        return (long) c.layers() * 2 * ((long) R * c.hiddenSize() + (long) c.hiddenSize() * R);
    }

    @Test
    void loadedTinyVitGetsPeftsTrainableCountsAndUnchangedOutputs() {
        Path dir = VitFixtures.dir("classifier");
        try (VitImageClassifier vit = VitImageClassifier.load(dir);
                TensorSource src = Safetensors.openCheckpoint(dir)) {
            VitConfig c = vit.vitConfig();
            long checkpoint = src.tensors().values().stream().mapToLong(TensorInfo::elements).sum();
            assertEquals(checkpoint, baseParameters(c), "the formula counts the checkpoint's scalars");
            NDArray x = VitFixtures.pixels(m, 2, 3, 32);
            float[] before = vit.logits(m, x).toFloatArray();
            AdaptedModel am = AdaptedModel.inject(vit.model(), recipe().build());
            assertEquals(loraParameters(c) + head(c), am.trainableParameters());
            assertEquals(baseParameters(c) + loraParameters(c) + head(c), am.allParameters());
            assertEquals(2 * c.layers(), am.layers().size());
            assertTrue(am.trainableParameterMap().containsKey(
                    "vit.encoder.layer.1.attention.attention.value.lora_B.default.weight"),
                    am.trainableParameterMap().keySet().toString());
            // lora_B starts at zero and the saved classifier is a copy: the outputs do not move
            VitFixtures.assertClose(before, vit.logits(m, x).toFloatArray(), 1e-6, "logits after injection");
        }
    }

    /**
     * An adapter trained a little on one loaded ViT, saved in PEFT's layout and loaded onto a freshly loaded copy,
     * gives the same logits (PeftModel.from_pretrained on the same base).
     */
    @Test
    void adapterSavedFromALoadedVitLoadsOntoAFreshOne(@TempDir Path tmp) {
        NDArray x = VitFixtures.pixels(m, 2, 3, 32);
        float[] trained;
        try (VitImageClassifier vit = VitImageClassifier.load(VitFixtures.dir("classifier"))) {
            AdaptedModel am = AdaptedModel.inject(vit.model(), recipe().build());
            for (Map.Entry<String, org.loralab.lora.variant.AdapterParam> p : am.trainableParameterMap().entrySet()) {
                NDArray a = p.getValue().parameter().getArray();
                a.addi(a.getManager().randomNormal(0f, 0.05f, a.getShape(), a.getDataType()));
            }
            trained = vit.logits(m, x).toFloatArray();
            am.save(tmp.resolve("adapter"), AdaptedModel.DEFAULT);
        }
        try (VitImageClassifier fresh = VitImageClassifier.load(VitFixtures.dir("classifier"))) {
            float[] base = fresh.logits(m, x).toFloatArray();
            AdaptedModel am = AdaptedModel.of(fresh.model());
            am.load(tmp.resolve("adapter"), AdaptedModel.DEFAULT);
            VitFixtures.assertClose(trained, fresh.logits(m, x).toFloatArray(), 1e-5, "reloaded adapter logits");
            double moved = 0;
            for (int i = 0; i < base.length; i++) {
                moved = Math.max(moved, Math.abs(base[i] - trained[i]));
            }
            assertTrue(moved > 1e-3, "the adapter must change the outputs for this test to mean anything: " + moved);
        }
    }

    /** PEFT's example prints trainable 667,493 of 86,543,818 for ViT-B/16 with 101 labels (Food-101). */
    @Test
    void vitBase16With101LabelsHasPeftsFigures() {
        String labels = IntStream.range(0, 101).mapToObj(i -> "\"" + i + "\": \"food" + i + "\"")
                .collect(Collectors.joining(", "));
        HfConfig config = HfConfig.parse(Path.of("vit-base-patch16-224-in21k", "config.json"),
                "{\"architectures\": [\"ViTForImageClassification\"], \"model_type\": \"vit\", \"hidden_size\": 768,"
                        + " \"num_hidden_layers\": 12, \"num_attention_heads\": 12, \"intermediate_size\": 3072,"
                        + " \"hidden_act\": \"gelu\", \"image_size\": 224, \"patch_size\": 16, \"num_channels\": 3,"
                        + " \"qkv_bias\": true, \"layer_norm_eps\": 1e-12, \"id2label\": {" + labels + "}}");
        VitConfig c = VitHfConfig.from(config).vit();
        assertEquals(667_493L, loraParameters(c) + head(c));
        assertEquals(86_543_818L, baseParameters(c) + loraParameters(c) + head(c));
        // and the block built from that config, randomly initialised, agrees with the formula
        Block block = Vit.classifier(c);
        block.initialize(m, DataType.FLOAT32, new Shape(1, 3, 224, 224));
        long built = 0;
        for (Pair<String, Parameter> p : block.getParameters()) {
            built += p.getValue().getArray().size();
        }
        assertEquals(baseParameters(c), built);
        AdaptedModel am = AdaptedModel.inject(block, recipe().build());
        assertEquals("trainable params: 667,493 || all params: 86,543,818 || trainable%: 0.7713",
                am.trainableSummary());
    }

    /**
     * QLoRA on a loaded model: the checkpoint is loaded in fp32 and the targets are quantised (NF4) when the adapter
     * is injected. The quantised base moves the logits a little; merging gives a dense block with the same outputs.
     */
    @Test
    void qloraInjectsIntoTheLoadedVit() {
        try (VitImageClassifier vit = VitImageClassifier.load(VitFixtures.dir("classifier"))) {
            NDArray x = VitFixtures.pixels(m, 2, 3, 32);
            float[] dense = vit.logits(m, x).toFloatArray();
            AdaptedModel am = AdaptedModel.inject(vit.model(), recipe().variant("qlora").option("quantization", "nf4")
                    .build());
            assertEquals(4, am.layers().size());
            double ratio = QLoraReport.memory(am, "default").ratio();
            assertTrue(ratio < 0.2, "NF4 holds the targets in about 4.5 of 32 bits: " + ratio);
            float[] quantised = vit.logits(m, x).toFloatArray();
            double moved = 0;
            for (int i = 0; i < dense.length; i++) {
                moved = Math.max(moved, Math.abs(dense[i] - quantised[i]));
            }
            assertTrue(moved > 1e-5 && moved < 0.3, "NF4 moves the logits a little: " + moved);
            Block merged = am.mergeAndUnload();
            float[] after = merged.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow()
                    .toFloatArray();
            VitFixtures.assertClose(quantised, after, 1e-4, "merged QLoRA logits");
            Map<String, Parameter> p = org.loralab.lora.hf.StateDicts.parameters(merged);
            assertTrue(p.containsKey("vit.encoder.layer.0.attention.attention.query.weight"), p.keySet().toString());
        }
    }
}
