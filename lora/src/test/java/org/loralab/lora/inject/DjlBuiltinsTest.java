package org.loralab.lora.inject;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.Model;
import ai.djl.basicmodelzoo.cv.classification.ResNetV1;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.transformer.ScaledDotProductAttentionBlock;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.testing.Toy;

/** Injection into DJL's own blocks and into models loaded from .params files. */
class DjlBuiltinsTest {

    private static Loss sumLoss() {
        return new Loss("sum") {
            @Override
            public NDArray evaluate(NDList labels, NDList predictions) {
                return predictions.head().sum();
            }
        };
    }

    /** 3 SGD steps (lr 0.5, loss = sum) through DJL's Trainer; returns the params that moved by > 1e-4. */
    private static List<Parameter> trainThreeSteps(Model model, NDArray x) {
        Map<Parameter, float[]> before = new IdentityHashMap<>();
        for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
            before.put(p.getValue(), p.getValue().getArray().toFloatArray());
        }
        DefaultTrainingConfig tc = new DefaultTrainingConfig(sumLoss())
                .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.5f)).build());
        try (Trainer trainer = model.newTrainer(tc)) {
            for (int i = 0; i < 3; i++) {
                try (GradientCollector gc = trainer.newGradientCollector()) {
                    gc.backward(trainer.forward(new NDList(x)).head().sum());
                }
                trainer.step();
            }
        }
        List<Parameter> moved = new ArrayList<>();
        for (Map.Entry<Parameter, float[]> e : before.entrySet()) {
            if (Toy.maxDiff(e.getKey().getArray().toFloatArray(), e.getValue()) > 1e-4) {
                moved.add(e.getKey());
            }
        }
        return moved;
    }

    @Test
    void scaledDotProductAttentionBlock() {
        try (Model model = Model.newInstance("att")) {
            NDManager m = model.getNDManager();
            ScaledDotProductAttentionBlock att = ScaledDotProductAttentionBlock.builder().setEmbeddingSize(8).setHeadCount(2)
                    .optAttentionProbsDropoutProb(0f).build();
            att.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(2, 5, 8));
            model.setBlock(att);
            NDArray x = m.randomNormal(new Shape(2, 5, 8));
            float[] base = Toy.run(att, x).toFloatArray();
            AdaptedModel am = AdaptedModel.inject(model, AdapterConfig.builder().r(4).alpha(8)
                    .targetModules("queryProjection", "valueProjection").seed(0).build());
            assertEquals(2, am.layers().size());
            assertEquals("activation", am.layers().get(0).mechanism(), "private Linear fields take a Linear wrapper");
            assertEquals(2L * 4 * (8 + 8), am.trainableParameters());
            assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), base, 1e-5, 1e-7), "no-op at init");

            List<Parameter> moved = trainThreeSteps(model, x);
            IdentityHashMap<Parameter, Boolean> adapter = new IdentityHashMap<>();
            am.trainableParameterMap().values().forEach(p -> adapter.put(p.parameter(), true));
            assertEquals(4, adapter.size());
            assertEquals(adapter.keySet(), new IdentityHashMap<Parameter, Boolean>() {
                {
                    moved.forEach(p -> put(p, true));
                }
            }.keySet(), "exactly the adapter tensors moved");

            float[] trained = Toy.run(am.block(), x).toFloatArray();
            assertFalse(Toy.allClose(trained, base, 1e-6, 1e-6));
            try (AdapterScope off = am.disable()) {
                assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), base, 1e-5, 1e-7));
            }
            am.merge();
            assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), trained, 1e-4, 1e-4));
            Block plain = am.mergeAndUnload();
            assertSame(att, plain);
            assertSame(att, model.getBlock());
            assertTrue(Toy.allClose(Toy.run(plain, x).toFloatArray(), trained, 1e-4, 1e-4));
        }
    }

    @Test
    void bertBlockAttentionProjections() {
        try (NDManager m = NDManager.newBaseManager()) {
            ai.djl.nn.transformer.BertBlock bert = ai.djl.nn.transformer.BertBlock.builder().setTokenDictionarySize(30)
                    .optEmbeddingSize(16).optTransformerBlockCount(2).optAttentionHeadCount(2).optHiddenSize(32)
                    .optMaxSequenceLength(8).build();
            bert.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(2, 8), new Shape(2, 8), new Shape(2, 8));
            NDArray tokens = m.randomInteger(0, 30, new Shape(2, 8), ai.djl.ndarray.types.DataType.INT32);
            NDList in = new NDList(tokens, m.zeros(new Shape(2, 8), ai.djl.ndarray.types.DataType.INT32),
                    m.ones(new Shape(2, 8), ai.djl.ndarray.types.DataType.INT32));
            ai.djl.training.ParameterStore ps = new ai.djl.training.ParameterStore(m, false);
            float[] base = bert.forward(ps, in, false).head().toFloatArray();
            AdaptedModel am = AdaptedModel.inject(bert, AdapterConfig.builder().r(4).targetModulesRegex(
                    ".*selfAttention\\.(queryProjection|valueProjection)").dropout(0.1).seed(4).build());
            assertEquals(4, am.layers().size(), am.layers().toString());
            assertEquals(List.of("transformer_0.selfAttention.queryProjection",
                    "transformer_0.selfAttention.valueProjection", "transformer_1.selfAttention.queryProjection",
                    "transformer_1.selfAttention.valueProjection"),
                    am.layers().stream().map(AdaptedLayerInfo::path).toList());
            assertTrue(am.warnings().isEmpty(), am.warnings().toString());
            assertEquals(4L * 4 * (16 + 16), am.trainableParameters());
            assertTrue(Toy.allClose(bert.forward(ps, in, false).head().toFloatArray(), base, 1e-5, 1e-6), "no-op at init");
            am.addAdapter("f", AdapterConfig.builder().r(4).targetModulesRegex(".*(queryProjection|valueProjection)")
                    .init(false).seed(5).build());
            am.setActive("f");
            float[] unmerged = bert.forward(ps, in, false).head().toFloatArray();
            assertFalse(Toy.allClose(unmerged, base, 1e-5, 1e-6));
            am.merge();
            assertTrue(Toy.allClose(bert.forward(ps, in, false).head().toFloatArray(), unmerged, 1e-4, 1e-4));
            am.unload();
            assertTrue(Toy.allClose(bert.forward(ps, in, false).head().toFloatArray(), base, 1e-4, 1e-5));
        }
    }

    @Test
    void resNetV1FromTheModelZoo() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block resnet = ResNetV1.builder().setImageShape(new Shape(3, 16, 16)).setNumLayers(20).setOutSize(10).build();
            resnet.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(2, 3, 16, 16));
            NDArray x = m.randomNormal(new Shape(2, 3, 16, 16));
            float[] base = Toy.run(resnet, x).toFloatArray();
            List<String> convs = new ArrayList<>();
            for (Map.Entry<String, Block> e : BlockPaths.named(resnet).entrySet()) {
                if (e.getValue() instanceof Conv2d) {
                    convs.add(e.getKey());
                }
            }
            assertTrue(convs.size() >= 19, convs.toString());
            long allBase = 0;
            for (Pair<String, Parameter> p : resnet.getParameters()) {
                Parameter.Type t = p.getValue().getType();
                if (t != Parameter.Type.RUNNING_MEAN && t != Parameter.Type.RUNNING_VAR) {
                    allBase += p.getValue().getArray().size();
                }
            }
            // list entries are suffixes, so "0" would also match "1.0" (a SequentialBlock): use one full-match regex
            String regex = String.join("|", convs.stream().map(java.util.regex.Pattern::quote).toList());
            AdaptedModel am = AdaptedModel.inject(resnet, AdapterConfig.builder().r(4).targetModulesRegex(regex).seed(1).build());
            assertEquals(convs.size(), am.layers().size());
            assertTrue(am.layers().stream().allMatch(l -> l.mechanism().equals("activation")));
            assertEquals(allBase + am.trainableParameters(), am.allParameters(), "BatchNorm running stats are not parameters");
            assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), base, 1e-5, 1e-6), "no-op at init");

            am.addAdapter("f", AdapterConfig.builder().r(4).targetModulesRegex(regex).init(false).seed(2).build());
            am.setActive("f");
            float[] unmerged = Toy.run(am.block(), x).toFloatArray();
            assertFalse(Toy.allClose(unmerged, base, 1e-5, 1e-6));
            am.merge();
            float[] merged = Toy.run(am.block(), x).toFloatArray();
            assertTrue(Toy.allClose(merged, unmerged, 1e-3, 1e-3), "conv merge (PEFT: 1e-3); max diff " + Toy.maxDiff(merged, unmerged));
            am.unload();
            assertTrue(Toy.allClose(Toy.run(resnet, x).toFloatArray(), base, 1e-4, 1e-5), "unload unmerges");
        }
    }

    @Test
    void modelLoadedFromParamsFile(@TempDir Path dir) throws Exception {
        float[] original;
        try (Model saved = Model.newInstance("mlp")) {
            Toy.Mlp mlp = Toy.init(new Toy.Mlp(), saved.getNDManager(), new Shape(9, 10));
            saved.setBlock(mlp);
            original = Toy.run(mlp, Toy.mlpInput(saved.getNDManager())).toFloatArray();
            saved.save(dir, "mlp");
        }
        assertTrue(Files.exists(dir.resolve("mlp-0000.params")));
        try (Model model = Model.newInstance("mlp")) {
            model.setBlock(new Toy.Mlp());
            model.load(dir, "mlp");
            NDArray x = Toy.mlpInput(model.getNDManager());
            assertArrayEquals(original, Toy.run(model.getBlock(), x).toFloatArray(), 1e-6f);
            AdaptedModel am = AdaptedModel.inject(model, AdapterConfig.builder().targetModules("lin0", "lin1").seed(3).build());
            assertArrayEquals(original, Toy.run(model.getBlock(), x).toFloatArray(), 1e-6f);
            List<Parameter> moved = trainThreeSteps(model, x);
            assertEquals(4, moved.size(), "lora A and B of two layers move, nothing else");
            assertEquals(am.trainableParameterMap().size(), moved.size());
        }
    }
}
