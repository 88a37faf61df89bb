package org.loralab.lora.variant.adalora;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedLayerInfo;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.inject.AdapterScope;
import org.loralab.lora.io.AdapterFiles;
import org.loralab.lora.testing.Toy;
import org.loralab.lora.train.OptimizerKind;
import org.loralab.lora.variant.family.FamilyKit;

/** AdaLoRA (spec §10) on PEFT's toy MLP: lin0 Linear(10,20), lin1 Linear(20,2). */
class AdaLoraTest {
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
        return AdaLora.config(10).alpha(8).targetModules("lin0", "lin1").seed(0)
                .option("init_r", 6).option("target_r", 2).option("tinit", 2).option("tfinal", 2);
    }

    private float[] run(AdaptedModel am) {
        return Toy.run(am.block(), x).toFloatArray();
    }

    /** Fills the importance EMAs from one backward of sum(output). */
    private static void backwardAndScore(AdaptedModel am, NDArray x, RankAllocator alloc) {
        ParameterStore ps = new ParameterStore(x.getManager(), false);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray out = am.block().forward(ps, new NDList(x), true).head();
            gc.backward(out.sum());
        }
        alloc.updateImportance();
    }

    @Test
    void noOpAtInitExactCountsAndScaling() {
        float[] base = Toy.run(mlp, x).toFloatArray();
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().build());
        assertTrue(Toy.allClose(run(am), base, 1e-5, 1e-8));
        // Σ init_r·(in + out + 1) = 6·(10+20+1) + 6·(20+2+1)
        assertEquals(6 * 31 + 6 * 23, am.trainableParameters());
        for (AdaptedLayerInfo l : am.layers()) {
            assertEquals(6, l.r());
            assertEquals(8 / (6 + 1e-5), l.scaling(), 0.0);
        }
        Map<String, ?> names = am.trainableParameterMap();
        assertTrue(names.containsKey("lin0.lora_E.default"), names.keySet().toString());
        for (float e : ((org.loralab.lora.variant.AdapterParam) am.trainableParameterMap().get("lin0.lora_E.default"))
                .parameter().getArray().toFloatArray()) {
            assertEquals(0f, e);
        }
    }

    @Test
    void mergeEqualsUnmergedAndUnmergeRestoresAndDisableIsBase() {
        float[] base = Toy.run(mlp, x).toFloatArray();
        ai.djl.nn.Parameter w0p = mlp.lin0.getDirectParameters().get("weight");
        float[] w0 = w0p.getArray().toFloatArray();
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().init(false).build());
        float[] unmerged = run(am);
        assertTrue(Toy.maxDiff(unmerged, base) > 1e-3, "init=false must change the output");
        try (AdapterScope off = am.disable()) {
            assertTrue(Toy.allClose(run(am), base, 1e-5, 1e-8));
        }
        am.merge();
        assertTrue(Toy.maxDiff(run(am), unmerged) < 1e-4);
        am.unmerge();
        assertTrue(Toy.maxDiff(w0p.getArray().toFloatArray(), w0) < 1e-4);
        assertTrue(Toy.maxDiff(run(am), unmerged) < 1e-4);
    }

    @Test
    void configValidationSaysWhatToChange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdaptedModel.inject(mlp,
                AdapterConfig.builder().variant("adalora").targetModules("lin0").build()));
        assertTrue(e.getMessage().contains("total_step"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AdaptedModel.inject(mlp,
                cfg().option("tinit", 8).option("tfinal", 2).build()));
        assertTrue(e.getMessage().contains("tinit"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AdaptedModel.inject(mlp,
                cfg().option("orth_reg_weight", -1).build()));
        assertTrue(e.getMessage().contains("orth_reg_weight"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AdaptedModel.inject(mlp,
                cfg().option("target_r", 9).build()));
        assertTrue(e.getMessage().contains("target_r"), e.getMessage());
    }

    @Test
    void budgetScheduleValues() {
        // init 12·2 = 24, target 4·2 = 8, tinit 2, tfinal 3, T 10, deltaT 2
        BudgetSchedule s = new BudgetSchedule(24, 8, 2, 3, 2, 10);
        int[] budgets = {24, 24, 24, 16, 11, 9, 8, 8, 8, 8, 8};
        boolean[] masks = {false, false, false, false, true, false, true, false, true, true, true};
        for (int t = 0; t <= 10; t++) {
            assertEquals(budgets[t], s.at(t).budget(), "budget at step " + t);
            assertEquals(masks[t], s.at(t).mask(), "mask at step " + t);
        }
    }

    @Test
    void maskingKeepsExactlyTheBudgetedRanks() {
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().init(false).build());
        RankAllocator alloc = AdaLora.allocator(am);
        assertEquals(12, alloc.schedule().initBudget());
        assertEquals(4, alloc.schedule().targetBudget());
        backwardAndScore(am, x, alloc);
        for (int budget : new int[] {11, 7, 4}) {
            Map<String, boolean[]> pattern = alloc.maskToBudget(budget);
            int kept = 0;
            for (boolean[] k : pattern.values()) {
                kept += org.loralab.lora.variant.adalora.LowRankParts.count(k);
            }
            assertEquals(budget, kept);
            int active = alloc.activeRanks().values().stream().mapToInt(Integer::intValue).sum();
            assertEquals(budget, active, "E must be zero exactly on the masked ranks");
        }
    }

    @Test
    void saveLoadWithRankPatternReproducesOutputs(@TempDir Path dir) throws Exception {
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().init(false).build());
        RankAllocator alloc = AdaLora.allocator(am);
        backwardAndScore(am, x, alloc);
        Map<String, boolean[]> pattern = alloc.maskToBudget(7);
        float[] trained = run(am);
        am.save(dir, "default");

        String json = Files.readString(dir.resolve(AdapterFiles.CONFIG));
        assertTrue(json.contains("\"peft_type\": \"ADALORA\""), json);
        assertTrue(json.contains("\"lin0.lora_E\""), json);
        int r0 = LowRankParts.count(pattern.get("lin0.lora_E"));
        int r1 = LowRankParts.count(pattern.get("lin1.lora_E"));
        Map<String, Shape> shapes = FamilyKit.savedShapes(dir);
        assertEquals(java.util.Set.of("base_model.model.lin0.lora_A", "base_model.model.lin0.lora_E",
                "base_model.model.lin0.lora_B", "base_model.model.lin1.lora_A", "base_model.model.lin1.lora_E",
                "base_model.model.lin1.lora_B"), shapes.keySet());
        assertEquals(new Shape(r0, 10), shapes.get("base_model.model.lin0.lora_A"));
        assertEquals(new Shape(r0, 1), shapes.get("base_model.model.lin0.lora_E"));
        assertEquals(new Shape(20, r0), shapes.get("base_model.model.lin0.lora_B"));
        assertEquals(new Shape(2, r1), shapes.get("base_model.model.lin1.lora_B"));

        am.load(dir, "loaded");
        am.setActive("loaded");
        assertTrue(Toy.maxDiff(run(am), trained) < 1e-5);
        for (AdaptedLayerInfo l : am.layers()) {
            if (l.adapterName().equals("loaded")) {
                assertEquals(l.path().equals("lin0") ? r0 : r1, l.r());
                assertEquals(8 / (6 + 1e-5), l.scaling(), 0.0, "ranknum stays init_r");
                assertEquals((long) l.r() * (l.path().equals("lin0") ? 31 : 23), l.trainable());
            }
        }
        // saving the loaded (already pruned) adapter again writes the same shapes
        Path again = dir.resolve("again");
        am.save(again, "loaded");
        assertEquals(shapes, FamilyKit.savedShapes(again));
    }

    @Test
    void trainingLoopRunsTheAllocatorAndOnlyAdapterParamsMove() {
        Map<String, ai.djl.nn.Parameter> baseParams = FamilyKit.baseParams(mlp.lin0, mlp.lin1);
        Map<String, float[]> before = FamilyKit.values(baseParams);
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().init(false).build());
        RankAllocator alloc = AdaLora.allocator(am);
        Map<String, float[]> adapterBefore = new java.util.HashMap<>();
        am.trainableParameterMap().forEach((k, p) -> adapterBefore.put(k, p.parameter().getArray().toFloatArray()));
        assertNotNull(alloc.extraLoss(org.loralab.lora.variant.ParamSource.DIRECT, m), "orth regulariser");
        var report = FamilyKit.train(am, m, 12, OptimizerKind.ADAMW, 0.01);
        assertEquals(org.loralab.lora.train.StopReason.COMPLETED, report.stopReason(), String.valueOf(report.message()));
        assertEquals(11, alloc.lastStep(), "afterStep ran every step");
        assertEquals(4, alloc.lastBudget(), "target budget after total_step - tfinal");
        assertEquals(4, alloc.activeRanks().values().stream().mapToInt(Integer::intValue).sum());
        assertNotNull(alloc.rankPattern());
        Map<String, float[]> after = FamilyKit.values(baseParams);
        for (String k : before.keySet()) {
            assertTrue(Toy.maxDiff(before.get(k), after.get(k)) < 1e-4, "base param moved: " + k);
        }
        for (var e : am.trainableParameterMap().entrySet()) {
            float[] now = e.getValue().parameter().getArray().toFloatArray();
            assertTrue(Toy.maxDiff(now, adapterBefore.get(e.getKey())) > 1e-4, "adapter param did not move: " + e.getKey());
        }
    }

    private static float[][] mat(AdaptedModel am, String name, boolean grad) {
        NDArray a = am.trainableParameterMap().get(name).parameter().getArray();
        return org.loralab.lora.variant.lora.Matrices.read(grad ? a.getGradient() : a);
    }

    @Test
    void orthogonalRegulariserIsMeanUnsquaredFrobeniusDistance() {
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().init(false).build());
        double sum = 0;
        for (String layer : new String[] {"lin0", "lin1"}) {
            float[][] a = mat(am, layer + ".lora_A.default", false);
            float[][] b = mat(am, layer + ".lora_B.default", false);
            for (int pass = 0; pass < 2; pass++) {
                double sq = 0;
                for (int i = 0; i < 6; i++) {
                    for (int j = 0; j < 6; j++) {
                        double c = 0;
                        if (pass == 0) {
                            for (int k = 0; k < a[0].length; k++) {
                                c += a[i][k] * a[j][k];
                            }
                        } else {
                            for (float[] row : b) {
                                c += row[i] * row[j];
                            }
                        }
                        double d = c - (i == j ? 1 : 0);
                        sq += d * d;
                    }
                }
                sum += Math.sqrt(sq);
            }
        }
        double want = 0.5 * sum / 4;
        NDArray got = AdaLora.allocator(am).extraLoss(org.loralab.lora.variant.ParamSource.DIRECT, m);
        assertEquals(ai.djl.ndarray.types.DataType.FLOAT32, got.getDataType());
        assertEquals(want, got.getFloat(), want * 1e-5);
    }

    @Test
    void importanceIsEmaOfSensitivityTimesUncertainty() {
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().init(false).build());
        RankAllocator alloc = AdaLora.allocator(am);
        backwardAndScore(am, x, alloc);
        // after one update from zero: Ī = (1-β1)·I, Ū = (1-β2)·|I - Ī| = (1-β2)·β1·I, score = Ī·Ū
        double k = 0.15 * 0.15 * 0.85;
        float[][] a = mat(am, "lin1.lora_A.default", false);
        float[][] ga = mat(am, "lin1.lora_A.default", true);
        float[][] e = mat(am, "lin1.lora_E.default", false);
        float[][] ge = mat(am, "lin1.lora_E.default", true);
        float[][] b = mat(am, "lin1.lora_B.default", false);
        float[][] gb = mat(am, "lin1.lora_B.default", true);
        double[] got = alloc.tripletScores(alloc.layers().get("lin1"));
        for (int i = 0; i < 6; i++) {
            double ie = Math.abs(e[i][0] * ge[i][0]);
            double sa = 0;
            for (int j = 0; j < 20; j++) {
                double v = Math.abs(a[i][j] * ga[i][j]);
                sa += k * v * v;
            }
            double sb = 0;
            for (int j = 0; j < 2; j++) {
                double v = Math.abs(b[j][i] * gb[j][i]);
                sb += k * v * v;
            }
            double want = k * ie * ie + sa / 20 + sb / 2;
            assertEquals(want, got[i], Math.abs(want) * 1e-4 + 1e-12, "rank " + i);
        }
    }

    @Test
    void conv2dLikeSvdConv2d(@TempDir Path dir) {
        Toy.ConvNet net = Toy.init(new Toy.ConvNet(), m, new Shape(9, 10));
        ai.djl.nn.Parameter w = net.conv2d.getDirectParameters().get("weight");
        float[] wBefore = w.getArray().toFloatArray();
        float[] base = Toy.run(net, x).toFloatArray();
        AdaptedModel am = AdaptedModel.inject(net, cfg().targetModules("conv2d", "lin0").build());
        assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), base, 1e-5, 1e-8));
        // A [6, 5·3·3], E [6,1], B [10, 6] + lin0 (10→2)
        assertEquals(6 * (45 + 10 + 1) + 6 * (10 + 2 + 1), am.trainableParameters());
        am.deleteAdapter("default");
        am.addAdapter("svd", cfg().init(false).targetModules("conv2d", "lin0").build());
        am.setActive("svd");
        float[] unmerged = Toy.run(am.block(), x).toFloatArray();
        assertTrue(Toy.maxDiff(unmerged, base) > 1e-3);
        am.merge();
        assertTrue(Toy.maxDiff(Toy.run(am.block(), x).toFloatArray(), unmerged) < 1e-4);
        am.unmerge();
        assertTrue(Toy.maxDiff(w.getArray().toFloatArray(), wBefore) < 1e-4);
        RankAllocator alloc = AdaLora.allocator(am, "svd");
        backwardAndScore(am, x, alloc);
        alloc.maskToBudget(5);
        float[] masked = Toy.run(am.block(), x).toFloatArray();
        am.save(dir, "svd");
        am.load(dir, "loaded");
        am.setActive("loaded");
        // the loaded layer sums 5 ranks where the masked one summed 6 with a zero: float32 order differs, and
        // init(false) gives N(0,1) factors with outputs in the tens, so the bound is relative
        float[] loaded = Toy.run(am.block(), x).toFloatArray();
        assertTrue(Toy.allClose(loaded, masked, 1e-5, 1e-5), "max diff " + Toy.maxDiff(loaded, masked));
    }
}
