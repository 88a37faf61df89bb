package org.loralab.lora.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.loralab.lora.inject.BlockPaths;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;

class VitTest {

    private static VitForImageClassification tiny() {
        return Vit.builder().setImageSize(8).setPatchSize(4).setChannels(1).setHiddenSize(16)
                .setLayers(2).setHeads(4).setMlpDim(32).setClasses(5).build();
    }

    @Test
    void forwardGivesLogitsPerImage() {
        try (NDManager m = NDManager.newBaseManager()) {
            VitForImageClassification vit = tiny();
            vit.initialize(m, DataType.FLOAT32, new Shape(3, 1, 8, 8));
            NDArray x = m.randomNormal(new Shape(3, 1, 8, 8));
            NDArray y = vit.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
            assertEquals(new Shape(3, 5), y.getShape());
            assertEquals(new Shape(3, 5), vit.getOutputShapes(new Shape[] {new Shape(3, 1, 8, 8)})[0]);
            assertTrue(y.isInfinite().logicalOr(y.isNaN()).none().getBoolean());
        }
    }

    @Test
    void forwardLeavesNothingInTheModelManager() {
        try (NDManager m = NDManager.newBaseManager()) {
            VitForImageClassification vit = tiny();
            vit.initialize(m, DataType.FLOAT32, new Shape(2, 1, 8, 8));
            ParameterStore ps = new ParameterStore(m, false);
            int before = countArrays(m);
            for (boolean training : new boolean[] {false, true}) {
                try (NDManager batch = m.newSubManager()) {
                    NDArray x = batch.randomNormal(new Shape(2, 1, 8, 8));
                    vit.forward(ps, new NDList(x), training).singletonOrThrow().toFloatArray();
                }
            }
            assertEquals(before, countArrays(m), "activations must live in the batch's manager");
        }
    }

    private static int countArrays(NDManager m) {
        return m.getManagedArrays().size();
    }

    @Test
    void blocksCarryHuggingFaceNames() {
        Map<String, Block> paths = BlockPaths.named(tiny());
        assertInstanceOf(Conv2d.class, paths.get("vit.embeddings.patch_embeddings.projection"));
        for (int i = 0; i < 2; i++) {
            String p = "vit.encoder.layer." + i + ".";
            for (String q : new String[] {"query", "key", "value"}) {
                assertInstanceOf(Linear.class, paths.get(p + "attention.attention." + q), p + q);
            }
            assertInstanceOf(Linear.class, paths.get(p + "attention.output.dense"));
            assertInstanceOf(Linear.class, paths.get(p + "intermediate.dense"));
            assertInstanceOf(Linear.class, paths.get(p + "output.dense"));
            assertInstanceOf(LayerNorm.class, paths.get(p + "layernorm_before"));
            assertInstanceOf(LayerNorm.class, paths.get(p + "layernorm_after"));
        }
        assertInstanceOf(LayerNorm.class, paths.get("vit.layernorm"));
        assertInstanceOf(Linear.class, paths.get("classifier"));
        // root, vit, embeddings, patch_embeddings, projection, encoder, layer; 14 per layer; layernorm, classifier
        assertEquals(7 + 2 * 14 + 2, paths.size(), () -> String.join("\n", paths.keySet()));
    }

    @Test
    void embeddingParametersHaveHuggingFaceShapes() {
        try (NDManager m = NDManager.newBaseManager()) {
            VitForImageClassification vit = tiny();
            vit.initialize(m, DataType.FLOAT32, new Shape(1, 1, 8, 8));
            Block emb = BlockPaths.named(vit).get("vit.embeddings");
            assertEquals(new Shape(1, 1, 16), emb.getDirectParameters().get("cls_token").getArray().getShape());
            assertEquals(new Shape(1, 5, 16),
                    emb.getDirectParameters().get("position_embeddings").getArray().getShape());
        }
    }

    /**
     * PEFT's ViT-B/16 example (spec §21): LoRA r=16, alpha=16 on query+value, classifier in modules_to_save
     * (a trainable copy; the frozen original still counts) prints trainable 667,493 / all 86,543,818.
     */
    @Test
    void vitBase16LoraReportsPeftCounts() {
        try (NDManager m = NDManager.newBaseManager()) {
            VitForImageClassification vit = Vit.base16(101).build();
            vit.initialize(m, DataType.FLOAT32, new Shape(1, 3, 224, 224));
            long base = 0;
            for (Pair<String, Parameter> p : vit.getParameters()) {
                base += p.getValue().getArray().size();
            }
            assertEquals(85_876_325L, base, "base model = HF ViTForImageClassification without pooler");
            AdaptedModel am = AdaptedModel.inject(vit, AdapterConfig.builder().r(16).alpha(16)
                    .targetModules("query", "value").dropout(0.1).bias("none").modulesToSave("classifier")
                    .seed(0).build());
            assertEquals(667_493L, am.trainableParameters());
            assertEquals(86_543_818L, am.allParameters());
            assertEquals("trainable params: 667,493 || all params: 86,543,818 || trainable%: 0.7713",
                    am.trainableSummary());
            assertEquals(24, am.layers().size());
        }
    }

    @Test
    void badSizesAreRejectedWithAHint() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Vit.builder().setImageSize(10).setPatchSize(4).setHiddenSize(8).setLayers(1)
                        .setHeads(2).setMlpDim(8).setClasses(2).build());
        assertTrue(e.getMessage().contains("multiple of patchSize"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Vit.builder().setImageSize(8).setPatchSize(4)
                .setHiddenSize(10).setLayers(1).setHeads(4).setMlpDim(8).setClasses(2).build());
    }

    @Test
    void wrongImageShapeFailsWithExpectedShape() {
        try (NDManager m = NDManager.newBaseManager()) {
            VitForImageClassification vit = tiny();
            vit.initialize(m, DataType.FLOAT32, new Shape(1, 1, 8, 8));
            NDArray x = m.zeros(new Shape(1, 1, 12, 12));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> vit.forward(new ParameterStore(m, false), new NDList(x), false));
            assertTrue(e.getMessage().contains("[batch, 1, 8, 8]"), e.getMessage());
        }
    }
}
