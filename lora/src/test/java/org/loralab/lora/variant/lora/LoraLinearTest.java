package org.loralab.lora.variant.lora;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.inject.AdapterScope;
import org.loralab.lora.testing.Ref;
import org.loralab.lora.testing.Toy;

/** LoRA on Linear through the toy MLP (PEFT's test_custom_models "MLP" cases). */
class LoraLinearTest {
    private NDManager m;
    private Toy.Mlp mlp;
    private NDArray x;
    private Parameter w0Param;
    private Parameter b0Param;

    @BeforeEach
    void setUp() {
        m = NDManager.newBaseManager();
        mlp = Toy.init(new Toy.Mlp(), m, new Shape(9, 10));
        x = Toy.mlpInput(m);
        w0Param = mlp.lin0.getDirectParameters().get("weight");
        b0Param = mlp.lin0.getDirectParameters().get("bias");
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    private static AdapterConfig.Builder cfg() {
        return AdapterConfig.builder().r(8).alpha(16).targetModules("lin0", "lin1").seed(0);
    }

    @Test
    void noOpAtInit() {
        float[] base = Toy.run(mlp, x).toFloatArray();
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().build());
        assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), base, 1e-5, 1e-8));
        for (Map.Entry<String, org.loralab.lora.variant.AdapterParam> e : am.trainableParameterMap().entrySet()) {
            if (e.getKey().contains("lora_B")) {
                for (float v : e.getValue().parameter().getArray().toFloatArray()) {
                    assertEquals(0f, v, "B must be exactly zero: " + e.getKey());
                }
            }
        }
    }

    @Test
    void forwardMatchesFormulaWithFixedWeights() {
        float[][] w0 = matrixOf(w0Param);
        float[] b0 = b0Param.getArray().toFloatArray();
        float[][] w1 = matrixOf(mlp.lin1.getDirectParameters().get("weight"));
        float[] b1 = mlp.lin1.getDirectParameters().get("bias").getArray().toFloatArray();
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().init(false).useRslora(true).build());
        Map<String, org.loralab.lora.variant.AdapterParam> p = am.trainableParameterMap();
        float[][] a0 = matrixOf(p.get("lin0.lora_A.default.weight").parameter());
        float[][] bb0 = matrixOf(p.get("lin0.lora_B.default.weight").parameter());
        float[][] a1 = matrixOf(p.get("lin1.lora_A.default.weight").parameter());
        float[][] bb1 = matrixOf(p.get("lin1.lora_B.default.weight").parameter());
        double s = 16 / Math.sqrt(8);
        NDArray xn = m.randomNormal(new Shape(9, 10));
        float[][] xs = Ref.matrix(xn.toFloatArray(), 9, 10);
        float[][] h = Ref.add(Ref.linear(xs, w0, b0), Ref.linear(Ref.linear(xs, a0, null), bb0, null), s);
        h = Ref.relu(h);
        float[][] y = Ref.add(Ref.linear(h, w1, b1), Ref.linear(Ref.linear(h, a1, null), bb1, null), s);
        float[] expected = Ref.flat(Ref.logSoftmax(y));
        float[] got = Toy.run(am.block(), xn).toFloatArray();
        assertTrue(Toy.allClose(got, expected, 1e-5, 1e-5), "max diff " + Toy.maxDiff(got, expected));
    }

    @Test
    void mergeEqualsUnmergedAndUnmergeRestoresW() {
        float[] w0 = w0Param.getArray().toFloatArray();
        float[] base = Toy.run(mlp, x).toFloatArray();
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().init(false).build());
        float[] unmerged = Toy.run(am.block(), x).toFloatArray();
        assertFalse(Toy.allClose(unmerged, base, 0, 1e-10), "init=false must change the output");
        am.merge();
        assertTrue(am.isMerged());
        float[] merged = Toy.run(am.block(), x).toFloatArray();
        assertTrue(Toy.allClose(merged, unmerged, 1e-4, 1e-4));
        am.merge(); // twice: no-op
        assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), merged, 1e-6, 1e-6));
        am.unmerge();
        assertFalse(am.isMerged());
        assertTrue(Toy.maxDiff(w0Param.getArray().toFloatArray(), w0) < 1e-6);
        assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), unmerged, 1e-4, 1e-4));
        am.merge(true);
        assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), unmerged, 1e-4, 1e-4));
    }

    @Test
    void safeMergeRejectsNanAndChangesNothing() {
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().init(false).build());
        float[] w0 = w0Param.getArray().toFloatArray();
        Parameter a = am.trainableParameterMap().get("lin1.lora_A.default.weight").parameter();
        float[] av = a.getArray().toFloatArray();
        av[0] = Float.NaN;
        a.getArray().set(av);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> am.merge(true));
        assertTrue(e.getMessage().contains("NaNs detected") && e.getMessage().contains("default"), e.getMessage());
        assertFalse(am.isMerged());
        assertArrayEquals(w0, w0Param.getArray().toFloatArray());
    }

    @Test
    void disableGivesBaseAndEnableRestores() {
        float[] base = Toy.run(mlp, x).toFloatArray();
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().init(false).build());
        float[] adapted = Toy.run(am.block(), x).toFloatArray();
        try (AdapterScope off = am.disable()) {
            assertFalse(am.isEnabled());
            assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), base, 1e-5, 1e-8));
        }
        assertTrue(am.isEnabled());
        assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), adapted, 1e-6, 1e-6));
        am.merge();
        try (AdapterScope off = am.disable()) {
            assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), base, 1e-4, 1e-4), "disable unmerges first");
        }
    }

    @Test
    void onlyAdapterParamsMoveAfterThreeSgdSteps() {
        Model model = Model.newInstance("mlp");
        model.setBlock(mlp);
        AdaptedModel am = AdaptedModel.inject(model, cfg().build());
        assertSame(am.block(), model.getBlock());
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
                    NDArray out = trainer.forward(new NDList(x)).head();
                    gc.backward(out.sum());
                }
                trainer.step();
            }
        }
        Map<String, org.loralab.lora.variant.AdapterParam> trainable = am.trainableParameterMap();
        assertEquals(4, trainable.size());
        IdentityHashMap<Parameter, Boolean> adapter = new IdentityHashMap<>();
        trainable.values().forEach(p -> adapter.put(p.parameter(), true));
        int moved = 0;
        for (Pair<String, Parameter> p : am.block().getParameters()) {
            double d = Toy.maxDiff(p.getValue().getArray().toFloatArray(), before.get(p.getValue()));
            if (adapter.containsKey(p.getValue())) {
                assertTrue(d > 1e-4, p.getKey() + " should move, moved " + d);
                moved++;
            } else {
                assertTrue(d < 1e-4, p.getKey() + " should stay, moved " + d);
            }
        }
        assertEquals(4, moved);
        model.close();
    }

    @Test
    void scalingExactWithPatternsAndRslora() {
        AdaptedModel am = AdaptedModel.inject(mlp, AdapterConfig.builder().r(16).alpha(3).targetModules("lin0", "lin1")
                .rankPattern("lin0", 25).alphaPattern("lin0", 11).build());
        assertEquals(11.0 / 25, am.layers().get(0).scaling());
        assertEquals(3.0 / 16, am.layers().get(1).scaling());
        assertEquals(25, am.layers().get(0).r());
        am.addAdapter("rs", AdapterConfig.builder().r(16).alpha(3).targetModules("lin0", "lin1").useRslora(true)
                .rankPattern("lin0", 25).alphaPattern("lin0", 11).build());
        var rs = am.layers().stream().filter(l -> l.adapterName().equals("rs")).toList();
        assertEquals(11.0 / Math.sqrt(25), rs.get(0).scaling());
        assertEquals(3.0 / Math.sqrt(16), rs.get(1).scaling());
    }

    @Test
    void loraBiasIsZeroAtInitScaledAndMerged() {
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().loraBias(true).build());
        Parameter bb = am.trainableParameterMap().get("lin0.lora_B.default.bias").parameter();
        for (float v : bb.getArray().toFloatArray()) {
            assertEquals(0f, v);
        }
        float[] ones = new float[20];
        java.util.Arrays.fill(ones, 1f);
        bb.getArray().set(ones);
        float[] b0 = b0Param.getArray().toFloatArray();
        float[] unmerged = Toy.run(am.block(), x).toFloatArray();
        am.merge();
        float[] b1 = b0Param.getArray().toFloatArray();
        assertEquals(b0[3] + 2.0f, b1[3], 1e-6, "bias += s * lora_B.bias with s = 16/8");
        assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), unmerged, 1e-4, 1e-4));
        am.unmerge();
        assertArrayEquals(b0, b0Param.getArray().toFloatArray(), 1e-6f);
        assertEquals(8 * 30 + 20 + 8 * 22 + 2, am.trainableParameters());
    }

    @Test
    void dropoutOnlyInTraining() {
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().init(false).dropout(0.5).build());
        float[] eval1 = Toy.run(am.block(), x).toFloatArray();
        float[] eval2 = Toy.run(am.block(), x).toFloatArray();
        assertArrayEquals(eval1, eval2);
        try (GradientCollector gc = m.getEngine().newGradientCollector()) {
            NDArray t = am.block().forward(new ai.djl.training.ParameterStore(m, false), new NDList(x), true).head();
            assertFalse(Toy.allClose(t.toFloatArray(), eval1, 1e-6, 1e-6), "training forward drops adapter inputs");
        }
    }

    @Test
    void gradientsMatchTheAnalyticFormula() {
        ai.djl.nn.SequentialBlock net = new ai.djl.nn.SequentialBlock().add(ai.djl.nn.core.Linear.builder().setUnits(5).build());
        Toy.init(net, m, new Shape(4, 6));
        AdaptedModel am = AdaptedModel.inject(net, AdapterConfig.builder().r(3).alpha(6).targetModules("0").init(false).seed(21).build());
        Map<String, org.loralab.lora.variant.AdapterParam> p = am.trainableParameterMap();
        Parameter pa = p.get("0.lora_A.default.weight").parameter();
        Parameter pb = p.get("0.lora_B.default.weight").parameter();
        float[][] a = matrixOf(pa);
        float[][] b = matrixOf(pb);
        NDArray xin = m.randomNormal(new Shape(4, 6));
        NDArray up = m.randomNormal(new Shape(4, 5));
        try (GradientCollector gc = m.getEngine().newGradientCollector()) {
            NDArray y = am.block().forward(new ai.djl.training.ParameterStore(m, false), new NDList(xin), true).head();
            gc.backward(y.mul(up).sum());
        }
        float[][] xs = Ref.matrix(xin.toFloatArray(), 4, 6);
        float[][] g = Ref.matrix(up.toFloatArray(), 4, 5);
        float[][] h = Ref.linear(xs, a, null); // [4, 3]
        float[][] gb = Ref.linear(g, transpose(b), null); // g B: [4, 3]
        float[][] dB = Ref.matmul(transpose(g), h); // [5, 3]
        float[][] dA = Ref.matmul(transpose(gb), xs); // [3, 6]
        float[] gotB = pb.getArray().getGradient().toFloatArray();
        float[] gotA = pa.getArray().getGradient().toFloatArray();
        assertTrue(Toy.allClose(gotB, scale(Ref.flat(dB), 2.0), 1e-4, 1e-5), "dL/dB = s g^T (x A^T)");
        assertTrue(Toy.allClose(gotA, scale(Ref.flat(dA), 2.0), 1e-4, 1e-5), "dL/dA = s (g B)^T x");
    }

    private static float[][] transpose(float[][] a) {
        float[][] t = new float[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                t[j][i] = a[i][j];
            }
        }
        return t;
    }

    private static float[] scale(float[] a, double s) {
        float[] o = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            o[i] = (float) (a[i] * s);
        }
        return o;
    }

    static float[][] matrixOf(Parameter p) {
        return Matrices.read(p.getArray());
    }
}
