package org.loralab.lora.variant.qlora;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.Model;
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
import ai.djl.util.PairList;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.testing.Ref;
import org.loralab.lora.testing.Toy;
import org.loralab.lora.train.Fit;
import org.loralab.lora.train.FitOptions;
import org.loralab.lora.train.OptimizerKind;
import org.loralab.lora.train.TensorData;
import org.loralab.lora.train.TrainingReport;

/**
 * Paths other than the forward that could reach the NaN placeholder a QLoRA base's weight Parameter views:
 * modules_to_save copies, a second {@code initialize}, DJL trainers and the fit loop (optimizers, weight decay,
 * gradient clipping over the model's parameters), and the summaries.
 */
class QLoraPlaceholderTest {
    private NDManager m;
    private WideMlp mlp;
    private Parameter w0;
    private NDArray x;

    @BeforeEach
    void setUp() {
        m = NDManager.newBaseManager();
        mlp = WideMlp.create(m, 11);
        w0 = mlp.weight(mlp.lin0);
        x = WideMlp.input(m);
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    private static AdapterConfig.Builder qlora() {
        return AdapterConfig.builder().variant("qlora").option("quantization", "nf4").r(4).alpha(8)
                .targetModules("lin0").seed(5);
    }

    private static boolean released(Parameter w) {
        return Float.isNaN(w.getArray().toFloatArray()[0]);
    }

    @Test
    void withinOneConfigModulesToSaveWinsAndItsCopyIsDense() {
        float[] dense0 = w0.getArray().toFloatArray();
        Parameter w1 = mlp.weight(mlp.lin1);
        // PEFT: a module named in modules_to_save is saved whole, not adapted, even when targetModules matches it
        AdaptedModel am = AdaptedModel.inject(mlp, qlora().targetModules("lin0", "lin1").modulesToSave("lin0").build());
        assertEquals(1, am.layers().size());
        assertEquals("lin1", am.layers().get(0).path());
        assertTrue(released(w1), "lin1 is quantised");
        assertFalse(released(w0), "lin0 is not");
        Parameter copy = am.trainableParameterMap().get("lin0.modules_to_save.default.weight").parameter();
        assertArrayEquals(dense0, copy.getArray().toFloatArray(), "the saved copy holds the dense W");
        assertFalse(Float.isNaN(Toy.run(am.block(), x).toFloatArray()[0]));
    }

    @Test
    void modulesToSaveOnALayerAnotherAdapterQuantisedIsRefusedAndChangesNothing() {
        AdaptedModel am = AdaptedModel.inject(mlp, qlora().init(false).build());
        float[] adapted = Toy.run(am.block(), x).toFloatArray();
        float[] q0 = Ref.flat(am.baseWeight("lin0"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> am.addAdapter("head",
                AdapterConfig.builder().r(2).targetModules("lin1").modulesToSave("lin0").build()));
        assertTrue(e.getMessage().startsWith("modules_to_save 'lin0' is a layer that adapter(s) [default] adapt;"),
                e.getMessage());
        assertEquals(java.util.List.of("default"), am.adapterNames());
        assertEquals(1, am.layers().size());
        assertTrue(released(w0));
        assertArrayEquals(q0, Ref.flat(am.baseWeight("lin0")));
        assertArrayEquals(adapted, Toy.run(am.block(), x).toFloatArray());
    }

    /** outer.head = WideMlp, then outer.tail Linear(8 → 4): a module to save that contains the quantised head.lin0. */
    static final class Outer extends AbstractBlock {
        final Block head;
        final Block tail;

        Outer(WideMlp head, NDManager m) {
            this.head = addChildBlock("head", head);
            this.tail = addChildBlock("tail", ai.djl.nn.core.Linear.builder().setUnits(4).build());
            tail.initialize(m, DataType.FLOAT32, new Shape(6, WideMlp.OUT));
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
            return tail.forward(ps, head.forward(ps, in, training, p), training, p);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] in) {
            return new Shape[] {new Shape(in[0].get(0), 4)};
        }
    }

    @Test
    void modulesToSaveContainingAQuantisedLayerIsRefused() {
        Outer outer = new Outer(mlp, m);
        AdaptedModel am = AdaptedModel.inject(outer, qlora().targetModules("head.lin0").init(false).build());
        float[] adapted = Toy.run(am.block(), x).toFloatArray();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> am.addAdapter("b",
                AdapterConfig.builder().r(2).targetModules("tail").modulesToSave("head").build()));
        assertTrue(e.getMessage().startsWith("modules_to_save 'head' contains 'head.lin0', whose base weight is held "
                + "quantised"), e.getMessage());
        assertEquals(java.util.List.of("default"), am.adapterNames());
        assertTrue(released(w0));
        assertArrayEquals(adapted, Toy.run(am.block(), x).toFloatArray());
        // over a dense adapted layer the same modules_to_save is still allowed
        Outer plainOuter = new Outer(WideMlp.create(m, 12), m);
        AdaptedModel plain = AdaptedModel.inject(plainOuter, AdapterConfig.builder().r(2).targetModules("head.lin0")
                .build());
        plain.addAdapter("b", AdapterConfig.builder().r(2).targetModules("tail").modulesToSave("head").build());
        assertEquals(2, plain.layers().size());
    }

    /** Like {@link Outer} but its head sits in a field typed WideMlp, where no wrapper fits. */
    static final class TypedOuter extends AbstractBlock {
        final WideMlp head;
        final Block tail;

        TypedOuter(WideMlp head, NDManager m) {
            this.head = addChildBlock("head", head);
            this.tail = addChildBlock("tail", ai.djl.nn.core.Linear.builder().setUnits(4).build());
            tail.initialize(m, DataType.FLOAT32, new Shape(6, WideMlp.OUT));
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
            return tail.forward(ps, head.forward(ps, in, training, p), training, p);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] in) {
            return new Shape[] {new Shape(in[0].get(0), 4)};
        }
    }

    @Test
    void anUnwrappableModuleToSaveIsRefusedBeforeTheBaseIsQuantised() {
        TypedOuter outer = new TypedOuter(mlp, m);
        Parameter tailW = outer.tail.getDirectParameters().get("weight");
        float[] tail0 = tailW.getArray().toFloatArray();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdaptedModel.inject(outer,
                qlora().targetModules("tail").modulesToSave("head").build()));
        assertTrue(e.getMessage().startsWith("modules_to_save 'head' cannot be wrapped: its parent TypedOuter holds it"),
                e.getMessage());
        // the failed injection left the dense W as it was, not dequant(quant(W))
        assertArrayEquals(tail0, tailW.getArray().toFloatArray());
    }

    @Test
    void initializingAgainAndDjlTrainersLeaveTheQuantisedBaseAlone() {
        try (Model model = Model.newInstance("q")) {
            NDManager mm = model.getNDManager();
            WideMlp net = WideMlp.create(mm, 11);
            Parameter w = net.weight(net.lin0);
            model.setBlock(net);
            AdaptedModel am = AdaptedModel.inject(model, qlora().build());
            float[] q0 = Ref.flat(am.baseWeight("lin0"));
            float[] out0 = Toy.run(am.block(), x).toFloatArray();
            am.block().initialize(mm, DataType.FLOAT32, new Shape(6, WideMlp.IN));
            assertTrue(released(w), "initialize left the released Parameter alone");
            assertArrayEquals(out0, Toy.run(am.block(), x).toFloatArray());
            assertFalse(w.requiresGradient(), "the quantised base is frozen");

            Loss sum = new Loss("sum") {
                @Override
                public NDArray evaluate(NDList labels, NDList predictions) {
                    return predictions.head().sum();
                }
            };
            DefaultTrainingConfig tc = new DefaultTrainingConfig(sum).optOptimizer(Optimizer.adam()
                    .optLearningRateTracker(Tracker.fixed(1e-2f)).optWeightDecays(0.1f).build());
            float[] b0 = am.trainableParameterMap().get("lin0.lora_B.default.weight").parameter().getArray()
                    .toFloatArray();
            try (Trainer trainer = am.newTrainer(tc)) {
                trainer.initialize(new Shape(6, WideMlp.IN));
                assertFalse(w.requiresGradient(), "a new trainer keeps the quantised base frozen");
                for (int i = 0; i < 3; i++) {
                    try (NDManager batch = mm.newSubManager()) {
                        NDArray in = batch.randomNormal(new Shape(6, WideMlp.IN));
                        try (GradientCollector gc = trainer.newGradientCollector()) {
                            NDArray out = trainer.forward(new NDList(in)).head();
                            assertFalse(Float.isNaN(out.toFloatArray()[0]));
                            gc.backward(out.sum());
                        }
                        trainer.step();
                    }
                }
            }
            float[] b1 = am.trainableParameterMap().get("lin0.lora_B.default.weight").parameter().getArray()
                    .toFloatArray();
            assertTrue(Toy.maxDiff(b0, b1) > 0, "lora_B trained");
            assertTrue(released(w));
            assertArrayEquals(q0, Ref.flat(am.baseWeight("lin0")), "Q untouched by the optimizer");
        }
    }

    @Test
    void fitWithWeightDecayAndClippingSkipsTheQuantisedBase() {
        try (Model model = Model.newInstance("q")) {
            NDManager mm = model.getNDManager();
            WideMlp net = WideMlp.create(mm, 11);
            Parameter w = net.weight(net.lin0);
            model.setBlock(net);
            AdaptedModel am = AdaptedModel.inject(model, qlora().targetModules("lin0", "lin1").build());
            float[] q0 = Ref.flat(am.baseWeight("lin0"));
            Random rnd = new Random(1);
            int n = 24;
            float[] xs = new float[n * WideMlp.IN];
            long[] ys = new long[n];
            for (int i = 0; i < n; i++) {
                ys[i] = i % WideMlp.OUT;
                for (int j = 0; j < WideMlp.IN; j++) {
                    xs[i * WideMlp.IN + j] = (float) rnd.nextGaussian();
                }
            }
            TensorData data = new TensorData(mm.create(xs, new Shape(n, WideMlp.IN)), mm.create(ys));
            TrainingReport r = Fit.fit(am, data, null, FitOptions.defaults().steps(4).batchSize(8)
                    .optimizer(OptimizerKind.ADAMW).weightDecay(0.1).clipNorm(0.5).lr(1e-2).nonFiniteGuard(true));
            assertEquals(4, r.stepsDone(), r.toString());
            for (double l : r.stepLosses()) {
                assertTrue(Double.isFinite(l), "finite losses: " + r);
            }
            assertTrue(released(w));
            assertArrayEquals(q0, Ref.flat(am.baseWeight("lin0")), "Q untouched by the fit loop");
            // made trainable by hand (a full fine-tune): refused with what to do, before any step
            am.block().freezeParameters(false);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Fit.fit(am, data, null,
                    FitOptions.defaults().steps(1).batchSize(8)));
            assertTrue(e.getMessage().startsWith("the base weight of 'lin0' is held quantised by QLoRA and cannot be "
                    + "trained"), e.getMessage());
            assertTrue(released(w));
            assertArrayEquals(q0, Ref.flat(am.baseWeight("lin0")));
            am.refreshTrainability();
            assertEquals(1, Fit.fit(am, data, null, FitOptions.defaults().steps(1).batchSize(8)).stepsDone());
            // the summaries read W through the quantised storage, never the placeholder
            assertFalse(am.toString().contains("NaN"), am.toString());
            String table = org.loralab.lora.analysis.ModelAnalysis.layerTable(am, "default").printAll();
            assertTrue(table.contains("lin0"), table);
            assertFalse(table.contains("NaN"), table);
        }
    }
}
