package org.loralab.lora.variant.dylora;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.inject.AdapterScope;
import org.loralab.lora.testing.Toy;
import org.loralab.lora.train.OptimizerKind;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.family.FamilyKit;
import org.loralab.lora.variant.lora.Matrices;
import tech.tablesaw.api.Table;

/** DyLoRA (spec §15) on PEFT's toy MLP, r_max = 4, alpha = 8. */
class DyLoraTest {
    private NDManager m;
    private Toy.Mlp mlp;
    private NDArray x;

    @BeforeEach
    void setUp() {
        m = NDManager.newBaseManager();
        mlp = Toy.init(new Toy.Mlp(), m, new Shape(9, 10));
        x = Toy.mlpInput(m).div(90f);
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    private static AdapterConfig.Builder cfg() {
        return AdapterConfig.builder().variant("dylora").r(4).alpha(8).targetModules("lin0", "lin1").seed(0);
    }

    private float[] run(AdaptedModel am) {
        return Toy.run(am.block(), x).toFloatArray();
    }

    private static Parameter param(AdaptedModel am, String name) {
        AdapterParam p = am.trainableParameterMap().get(name);
        assertNotNull(p, name + " in " + am.trainableParameterMap().keySet());
        return p.parameter();
    }

    @Test
    void noOpAtInitAndExactCount() {
        float[] base = Toy.run(mlp, x).toFloatArray();
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().build());
        assertTrue(Toy.allClose(run(am), base, 1e-5, 1e-8));
        assertEquals(4 * (10 + 20) + 4 * (20 + 2), am.trainableParameters());
        assertEquals(8 / 4.0, am.layers().get(0).scaling(), 0.0);
    }

    @Test
    void updateAtRankBIsAlphaOverBTimesTruncatedProduct() {
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().init(false).build());
        float[][] a = Matrices.read(param(am, "lin0.lora_A.default").getArray());
        float[][] bm = Matrices.read(param(am, "lin0.lora_B.default").getArray());
        for (int b = 1; b <= 4; b++) {
            DyLora.setRank(am, b);
            float[][] delta = am.deltaWeight("lin0", "default");
            double maxErr = 0;
            for (int o = 0; o < 20; o++) {
                for (int i = 0; i < 10; i++) {
                    double want = 0;
                    for (int k = 0; k < b; k++) {
                        want += bm[o][k] * a[k][i];
                    }
                    want *= 8.0 / b;
                    maxErr = Math.max(maxErr, Math.abs(delta[o][i] - want));
                }
            }
            assertTrue(maxErr < 1e-5, "rank " + b + " error " + maxErr);
        }
    }

    @Test
    void mergeAtChosenRankAndUnmergeAndDisable() {
        float[] base = Toy.run(mlp, x).toFloatArray();
        Parameter w0 = mlp.lin0.getDirectParameters().get("weight");
        float[] w0Before = w0.getArray().toFloatArray();
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().init(false).build());
        DyLora.setRank(am, 2);
        float[] atTwo = run(am);
        DyLora.setRank(am, 4);
        float[] atFour = run(am);
        assertTrue(Toy.maxDiff(atTwo, atFour) > 1e-4, "rank changes the output");
        DyLora.setRank(am, 2);
        am.merge();
        assertTrue(Toy.maxDiff(run(am), atTwo) < 1e-4);
        assertThrows(IllegalStateException.class, () -> DyLora.setRank(am, 3));
        am.unmerge();
        assertTrue(Toy.maxDiff(w0.getArray().toFloatArray(), w0Before) < 1e-4);
        try (AdapterScope off = am.disable()) {
            assertTrue(Toy.allClose(run(am), base, 1e-5, 1e-8));
        }
    }

    private float[][] gradsAtRank(boolean frozen, int b) {
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().init(false).option("frozen", frozen).build());
        DyLora.state(am, "default").beginStepAt(b);
        ParameterStore ps = new ParameterStore(m, false);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(am.block().forward(ps, new NDList(x), true).head().sum());
        }
        float[][] gA = Matrices.read(param(am, "lin0.lora_A.default").getArray().getGradient());
        float[][] gB = Matrices.read(param(am, "lin0.lora_B.default").getArray().getGradient());
        float[][] rowAbs = new float[2][4];
        for (int k = 0; k < 4; k++) {
            for (float v : gA[k]) {
                rowAbs[0][k] += Math.abs(v);
            }
            for (float[] row : gB) {
                rowAbs[1][k] += Math.abs(row[k]);
            }
        }
        return rowAbs;
    }

    @Test
    void frozenModeGivesGradientOnlyToComponentB() {
        float[][] g = gradsAtRank(true, 3);
        for (int k = 0; k < 4; k++) {
            boolean expected = k == 2;
            assertEquals(expected, g[0][k] > 0, "A row " + k + " grad " + g[0][k]);
            assertEquals(expected, g[1][k] > 0, "B column " + k + " grad " + g[1][k]);
        }
    }

    @Test
    void unfrozenModeTrainsAllFirstBComponents() {
        float[][] g = gradsAtRank(false, 3);
        for (int k = 0; k < 4; k++) {
            assertEquals(k < 3, g[0][k] > 0, "A row " + k);
            assertEquals(k < 3, g[1][k] > 0, "B column " + k);
        }
    }

    @Test
    void saveLoadRoundTrip(@TempDir Path dir) throws Exception {
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().init(false).build());
        float[] out = run(am);
        am.save(dir, "default");
        assertEquals(Map.of("base_model.model.lin0.lora_A", new Shape(4, 10), "base_model.model.lin0.lora_B", new Shape(20, 4),
                "base_model.model.lin1.lora_A", new Shape(4, 20), "base_model.model.lin1.lora_B", new Shape(2, 4)),
                FamilyKit.savedShapes(dir));
        am.load(dir, "loaded");
        am.setActive("loaded");
        assertTrue(Toy.maxDiff(run(am), out) < 1e-5);
        assertEquals("dylora", am.config("loaded").variant());
    }

    @Test
    void trainingSamplesRanksAndOnlyAdapterParamsMove() {
        Map<String, Parameter> baseParams = FamilyKit.baseParams(mlp.lin0, mlp.lin1);
        Map<String, float[]> before = FamilyKit.values(baseParams);
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().init(false).build());
        Map<String, float[]> adapterBefore = new HashMap<>();
        am.trainableParameterMap().forEach((k, p) -> adapterBefore.put(k, p.parameter().getArray().toFloatArray()));
        DyLoraState st = DyLora.state(am, "default");
        var report = FamilyKit.train(am, m, 12, OptimizerKind.SGD, 0.05);
        assertEquals(org.loralab.lora.train.StopReason.COMPLETED, report.stopReason(), String.valueOf(report.message()));
        assertTrue(st.trainRank() >= 1 && st.trainRank() <= 4);
        assertFalse(st.inStep());
        Map<String, float[]> after = FamilyKit.values(baseParams);
        for (String k : before.keySet()) {
            assertTrue(Toy.maxDiff(before.get(k), after.get(k)) < 1e-4, "base param moved: " + k);
        }
        am.trainableParameterMap().forEach((k, p) -> assertTrue(
                Toy.maxDiff(p.parameter().getArray().toFloatArray(), adapterBefore.get(k)) > 1e-4, "did not move: " + k));
    }

    @Test
    void samplerIsSeededAndCoversTheRange() {
        DyLoraState a = new DyLoraState(4, true, 7);
        DyLoraState b = new DyLoraState(4, true, 7);
        boolean[] seen = new boolean[5];
        for (int i = 0; i < 200; i++) {
            a.beforeStep(null);
            b.beforeStep(null);
            assertEquals(a.trainRank(), b.trainRank());
            seen[a.trainRank()] = true;
        }
        assertTrue(seen[1] && seen[2] && seen[3] && seen[4]);
        assertThrows(IllegalArgumentException.class, () -> a.setEvalRank(5));
    }

    @Test
    void evaluateEveryRankIntoATable() {
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().init(false).build());
        DyLora.setRank(am, 3);
        Table t = DyLora.evaluateRanks(am, "out_sum", model -> Toy.run(model.block(), x).sum().getFloat());
        assertEquals(4, t.rowCount());
        assertEquals(1, t.intColumn("rank").get(0));
        assertEquals(4, t.intColumn("rank").get(3));
        DyLora.setRank(am, 2);
        float atTwo = Toy.run(am.block(), x).sum().getFloat();
        assertEquals(atTwo, t.doubleColumn("out_sum").get(1), 1e-6);
        assertEquals(2, DyLora.state(am, "default").evalRank());
    }

    @Test
    void weightPathTruncatesAndFreezesLikeTheActivationPath() {
        NDManager local = NDManager.newBaseManager();
        try {
            Toy.TypedMlp typed = Toy.init(new Toy.TypedMlp(), local, new Shape(9, 10));
            typed.lin0.getDirectParameters().get("weight").getArray().set(
                    mlp.lin0.getDirectParameters().get("weight").getArray().toFloatArray());
            AdaptedModel am = AdaptedModel.inject(typed, cfg().init(false).targetModules("lin0").build());
            assertEquals("weight", am.layers().get(0).mechanism());
            DyLora.state(am, "default").beginStepAt(2);
            ParameterStore ps = new ParameterStore(local, false);
            NDArray xl = local.create(x.toFloatArray(), x.getShape());
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(am.block().forward(ps, new NDList(xl), true).head().sum());
            }
            float[][] gA = Matrices.read(param(am, "lin0.lora_A.default").getArray().getGradient());
            for (int k = 0; k < 4; k++) {
                float s = 0;
                for (float v : gA[k]) {
                    s += Math.abs(v);
                }
                assertEquals(k == 1, s > 0, "A row " + k + " grad " + s);
            }
        } finally {
            local.close();
        }
    }
}
