package org.loralab.lora.variant.dora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.modality.nlp.DefaultVocabulary;
import ai.djl.modality.nlp.embedding.TrainableWordEmbedding;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import ai.djl.util.PairList;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.inject.AdapterScope;
import org.loralab.lora.models.Vit;
import org.loralab.lora.testing.Fixture;
import org.loralab.lora.testing.Toy;
import org.loralab.lora.variant.AdapterParam;

/** DoRA through the injector (spec §5.6, §22): PEFT's generic tests on the MLP, a ViT (conv + linear), an embedding. */
class DoraModelTest {

    private NDManager m;
    private Toy.Mlp mlp;
    private NDArray x;

    @BeforeEach
    void setUp() {
        m = NDManager.newBaseManager();
        mlp = Toy.init(new Toy.Mlp(), m, new Shape(9, 10));
        x = Toy.mlpInput(m);
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    private static AdapterConfig.Builder dora() {
        return AdapterConfig.builder().useDora(true).r(8).alpha(16).targetModules("lin0", "lin1").seed(0);
    }

    private static NDArray magnitude(AdaptedModel am, String path) {
        return am.trainableParameterMap().get(path + ".lora_magnitude_vector.default.weight").parameter().getArray();
    }

    /** PEFT's test_dora_unmerge…: a magnitude that is not the init one (+0.5), so k != 1. */
    private static void perturbMagnitudes(AdaptedModel am) {
        for (Map.Entry<String, AdapterParam> e : am.trainableParameterMap().entrySet()) {
            if (e.getKey().contains("lora_magnitude_vector")) {
                e.getValue().parameter().getArray().addi(0.5f);
            }
        }
    }

    @Test
    void noOpAtInitAndMagnitudeIsTheRowNorm() {
        float[] base = Toy.run(mlp, x).toFloatArray();
        NDArray w0 = mlp.lin0.getDirectParameters().get("weight").getArray();
        AdaptedModel am = AdaptedModel.inject(mlp, dora().build());
        assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), base, 1e-5, 1e-8), "no-op at init");
        Fixture.assertClose(w0.norm(new int[] {1}), magnitude(am, "lin0"), 1e-6, 0, "m = ||W||_row");
        assertEquals(new Shape(2), magnitude(am, "lin1").getShape());
    }

    @Test
    void forwardLeavesNothingInTheModelManager() {
        AdaptedModel am = AdaptedModel.inject(mlp, dora().init(false).dropout(0.2).build());
        ParameterStore ps = new ParameterStore(m, false);
        int before = m.getManagedArrays().size();
        for (boolean training : new boolean[] {false, true}) {
            try (NDManager batch = m.newSubManager()) {
                NDArray in = batch.randomNormal(new Shape(9, 10));
                am.block().forward(ps, new NDList(in), training).singletonOrThrow().toFloatArray();
            }
        }
        assertEquals(before, m.getManagedArrays().size(), "DoRA's norm intermediates must not pile up");
    }

    @Test
    void parameterCountIsLoraPlusOutputs() {
        AdaptedModel am = AdaptedModel.inject(mlp, dora().build());
        long lora = 8 * (10 + 20) + 8 * (20 + 2);
        assertEquals(lora + 20 + 2, am.trainableParameters());
        assertEquals(10 * 20 + 20 + 20 * 2 + 2 + lora + 22, am.allParameters());
    }

    @Test
    void mergeEqualsUnmergedAndUnmergeRestoresW() {
        float[] base = Toy.run(mlp, x).toFloatArray();
        Parameter w0p = mlp.lin0.getDirectParameters().get("weight");
        float[] w0 = w0p.getArray().toFloatArray();
        AdaptedModel am = AdaptedModel.inject(mlp, dora().init(false).build());
        perturbMagnitudes(am);
        float[] unmerged = Toy.run(am.block(), x).toFloatArray();
        assertFalse(Toy.allClose(unmerged, base, 0, 1e-10), "init=false and a moved magnitude change the output");
        am.merge();
        assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), unmerged, 1e-4, 1e-4), "merged == unmerged");
        am.unmerge();
        float[] w = w0p.getArray().toFloatArray();
        assertTrue(Toy.maxDiff(w, w0) < 1e-4, "W restored, diff " + Toy.maxDiff(w, w0));
        assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), unmerged, 1e-5, 1e-5));
        am.merge(true);
        assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), unmerged, 1e-4, 1e-4), "safe merge");
        Block plain = am.mergeAndUnload();
        assertTrue(Toy.allClose(Toy.run(plain, x).toFloatArray(), unmerged, 1e-4, 1e-4), "merge and unload");
    }

    /** Children in fields no wrapper can fill: DoRA runs on the weight path, W' = (m/‖W+sBA‖)(W+sBA). */
    @Test
    void weightPathMatchesMergeAndIsANoOpAtInit() {
        Toy.TypedMlp typed = Toy.init(new Toy.TypedMlp(), m, new Shape(9, 10));
        float[] base = Toy.run(typed, x).toFloatArray();
        AdaptedModel am = AdaptedModel.inject(typed, dora().build());
        assertEquals("weight", am.layers().get(0).mechanism());
        assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), base, 1e-5, 1e-8), "no-op at init");
        for (AdapterParam p : am.trainableParameterMap().values()) {
            if (p.key().equals("lora_B.weight")) {
                p.parameter().getArray().set(m.randomNormal(p.parameter().getArray().getShape()).mul(0.3f)
                        .toFloatArray());
            }
        }
        perturbMagnitudes(am);
        float[] unmerged = Toy.run(am.block(), x).toFloatArray();
        assertFalse(Toy.allClose(unmerged, base, 0, 1e-10));
        am.merge();
        assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), unmerged, 1e-4, 1e-4), "merged == weight path");
        am.unmerge();
        assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), unmerged, 1e-4, 1e-4));
    }

    @Test
    void disableGivesBaseAlsoWhenMerged() {
        float[] base = Toy.run(mlp, x).toFloatArray();
        AdaptedModel am = AdaptedModel.inject(mlp, dora().init(false).build());
        perturbMagnitudes(am);
        float[] adapted = Toy.run(am.block(), x).toFloatArray();
        try (AdapterScope off = am.disable()) {
            assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), base, 1e-5, 1e-8));
        }
        assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), adapted, 1e-6, 1e-6));
        am.merge();
        try (AdapterScope off = am.disable()) {
            assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), base, 1e-5, 1e-5));
        }
    }

    @Test
    void onlyAdapterParamsMoveAfterThreeSgdSteps() {
        Model model = Model.newInstance("dora-mlp");
        model.setBlock(mlp);
        AdaptedModel am = AdaptedModel.inject(model, dora().build());
        Map<Parameter, float[]> before = new IdentityHashMap<>();
        for (Pair<String, Parameter> p : am.block().getParameters()) {
            before.put(p.getValue(), p.getValue().getArray().toFloatArray());
        }
        Loss sum = new Loss("sum") {
            @Override
            public NDArray evaluate(NDList labels, NDList predictions) {
                return predictions.head().sum();
            }
        };
        DefaultTrainingConfig tc = new DefaultTrainingConfig(sum)
                .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.5f)).build());
        try (Trainer trainer = model.newTrainer(tc)) {
            for (int i = 0; i < 3; i++) {
                try (GradientCollector gc = trainer.newGradientCollector()) {
                    gc.backward(trainer.forward(new NDList(x)).head().sum());
                }
                trainer.step();
            }
        }
        Map<String, AdapterParam> trainable = am.trainableParameterMap();
        assertEquals(6, trainable.size(), trainable.keySet().toString());
        IdentityHashMap<Parameter, String> adapter = new IdentityHashMap<>();
        trainable.forEach((k, p) -> adapter.put(p.parameter(), k));
        int moved = 0;
        for (Pair<String, Parameter> p : am.block().getParameters()) {
            double d = Toy.maxDiff(p.getValue().getArray().toFloatArray(), before.get(p.getValue()));
            if (adapter.containsKey(p.getValue())) {
                assertTrue(d > 1e-4, adapter.get(p.getValue()) + " should move, moved " + d);
                moved++;
            } else {
                assertTrue(d < 1e-4, p.getKey() + " should stay, moved " + d);
            }
        }
        assertEquals(6, moved);
        model.close();
    }

    @Test
    void saveLoadRoundTripUsesPeftMagnitudeKey(@TempDir Path dir) {
        AdaptedModel am = AdaptedModel.inject(mlp, dora().init(false).build());
        perturbMagnitudes(am);
        float[] adapted = Toy.run(am.block(), x).toFloatArray();
        Map<String, AdapterParam> tensors = am.adapterTensors("default");
        assertTrue(tensors.containsKey("base_model.model.lin0.lora_magnitude_vector"), tensors.keySet().toString());
        assertFalse(tensors.containsKey("base_model.model.lin0.lora_magnitude_vector.weight"));
        am.save(dir, "default");
        assertTrue(Files.isRegularFile(dir.resolve("adapter_model.safetensors")));
        am.load(dir, "reloaded");
        assertEquals("dora", am.config("reloaded").variant());
        am.setActive("reloaded");
        assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), adapted, 1e-5, 1e-5), "reloaded output");
    }

    @Test
    void vitWithConvAndLinearTargets() {
        Block vit = Vit.builder().setImageSize(8).setPatchSize(4).setChannels(1).setHiddenSize(16).setLayers(1)
                .setHeads(2).setMlpDim(32).setClasses(3).build();
        vit.initialize(m, DataType.FLOAT32, new Shape(2, 1, 8, 8));
        NDArray img = m.randomNormal(new Shape(2, 1, 8, 8));
        float[] base = Toy.run(vit, img).toFloatArray();
        AdaptedModel am = AdaptedModel.inject(vit, AdapterConfig.builder().useDora(true).r(2).alpha(4)
                .targetModules("projection", "query", "value", "dense").seed(1).build());
        assertTrue(Toy.allClose(Toy.run(am.block(), img).toFloatArray(), base, 1e-5, 1e-6), "no-op at init");
        assertEquals(new Shape(1, 16, 1, 1),
                magnitude(am, "vit.embeddings.patch_embeddings.projection").getShape());
        // conv 1*4*4 -> 16: r*(16 + 16) + 16; q, v, attention.output.dense 16 -> 16: r*32 + 16 each;
        // intermediate.dense 16 -> 32 and output.dense 32 -> 16: r*48 + 32 and r*48 + 16
        assertEquals(2 * 32 + 16 + 3 * (2 * 32 + 16) + (2 * 48 + 32) + (2 * 48 + 16), am.trainableParameters());
        for (AdapterParam p : am.trainableParameterMap().values()) {
            if (p.key().equals("lora_B.weight")) {
                p.parameter().getArray().set(m.randomNormal(p.parameter().getArray().getShape()).mul(0.3f)
                        .toFloatArray());
            }
        }
        perturbMagnitudes(am);
        float[] unmerged = Toy.run(am.block(), img).toFloatArray();
        assertFalse(Toy.allClose(unmerged, base, 0, 1e-10));
        am.merge();
        assertTrue(Toy.allClose(Toy.run(am.block(), img).toFloatArray(), unmerged, 1e-4, 1e-4),
                "merged == unmerged, max diff " + Toy.maxDiff(Toy.run(am.block(), img).toFloatArray(), unmerged));
        am.unmerge();
        assertTrue(Toy.allClose(Toy.run(am.block(), img).toFloatArray(), unmerged, 1e-5, 1e-5));
    }

    /** One TrainableWordEmbedding named "emb". */
    private static final class EmbNet extends AbstractBlock {
        private final Block emb;

        EmbNet(int vocab, int dim) {
            List<String> words = new ArrayList<>();
            for (int i = 0; i < vocab; i++) {
                words.add("w" + i);
            }
            emb = addChildBlock("emb", new TrainableWordEmbedding(new DefaultVocabulary(words), dim));
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
            return emb.forward(ps, in, training, p);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] in) {
            return emb.getOutputShapes(in);
        }

        @Override
        protected void initializeChildBlocks(NDManager mm, DataType t, Shape... in) {
            emb.initialize(mm, t, in);
        }
    }

    @Test
    void embeddingNoOpMergeAndCount() {
        EmbNet net = Toy.init(new EmbNet(30, 6), m, new Shape(4));
        NDArray w = net.emb.getDirectParameters().get("embedding").getArray();
        long vocab = w.getShape().get(0);
        NDArray idx = m.create(new int[] {0, 3, 7, 3});
        float[] base = Toy.run(net, idx).toFloatArray();
        AdaptedModel am = AdaptedModel.inject(net, AdapterConfig.builder().useDora(true).r(4).alpha(8)
                .targetModules("emb").seed(3).build());
        assertTrue(Toy.allClose(Toy.run(am.block(), idx).toFloatArray(), base, 1e-5, 1e-8), "no-op at init");
        Fixture.assertClose(w.norm(new int[] {0}), magnitude(am, "emb"), 1e-6, 0, "m = column norm");
        assertEquals(4 * (vocab + 6) + 6, am.trainableParameters());
        am.trainableParameterMap().get("emb.lora_embedding_A.default").parameter().getArray()
                .set(m.randomNormal(new Shape(4, vocab)).toFloatArray());
        perturbMagnitudes(am);
        float[] unmerged = Toy.run(am.block(), idx).toFloatArray();
        assertFalse(Toy.allClose(unmerged, base, 0, 1e-10));
        am.merge();
        assertTrue(Toy.allClose(Toy.run(am.block(), idx).toFloatArray(), unmerged, 1e-4, 1e-4));
        am.unmerge();
        assertTrue(Toy.allClose(Toy.run(am.block(), idx).toFloatArray(), unmerged, 1e-5, 1e-5));
    }
}
