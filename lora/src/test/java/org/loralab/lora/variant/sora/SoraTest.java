package org.loralab.lora.variant.sora;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
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
import org.loralab.lora.variant.ParamSource;
import org.loralab.lora.variant.StepInfo;
import org.loralab.lora.variant.family.FamilyKit;
import tech.tablesaw.api.Table;

/** SoRA (spec §16) on PEFT's toy MLP, r = 4, alpha = 8. */
class SoraTest {
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
        return AdapterConfig.builder().variant("sora").r(4).alpha(8).targetModules("lin0", "lin1").seed(0);
    }

    private float[] run(AdaptedModel am) {
        return Toy.run(am.block(), x).toFloatArray();
    }

    private static void setGate(SoraLayer l, float... g) {
        NDArray v = l.gate().getArray();
        try (NDArray nv = v.getManager().create(g, v.getShape())) {
            nv.copyTo(v);
        }
    }

    @Test
    void thresholdRules() {
        float[] soft = {0.5f, -0.5f, 1.5f, -1.5f, 2.5f, -3f, 1f, 0f, 2f};
        GateThreshold.SOFT.apply(soft, 1f);
        assertArrayEquals(new float[] {0f, 0f, 0.5f, -0.5f, 1.5f, -2f, 0f, 0f, 1f}, soft);
        float[] ref = {0.5f, -0.5f, 1.5f, -1.5f, 2.5f, -3f, 1f, 0f, 2f};
        GateThreshold.REFERENCE.apply(ref, 1f);
        // the shipped code zeroes λ < |g| < 2λ too, and leaves |g| == λ untouched
        assertArrayEquals(new float[] {0f, 0f, 0f, 0f, 1.5f, -2f, 1f, 0f, 1f}, ref);
        assertEquals(GateThreshold.SOFT, SoraOptions.of(cfg().build()).thresholdRule(), "the paper's rule is the default");
        assertThrows(IllegalArgumentException.class, () -> GateThreshold.parse("hard"));
    }

    @Test
    void noOpAtInitAndExactCount() {
        float[] base = Toy.run(mlp, x).toFloatArray();
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().build());
        assertTrue(Toy.allClose(run(am), base, 1e-5, 1e-8));
        assertEquals(4 * (10 + 20) + 4 + 4 * (20 + 2) + 4, am.trainableParameters());
        assertEquals(8 / 4.0, am.layers().get(0).scaling(), 0.0);
        assertTrue(am.trainableParameterMap().containsKey("lin0.gate.default"), am.trainableParameterMap().keySet().toString());
    }

    @Test
    void mergeEqualsUnmergedUnmergeRestoresDisableIsBase() {
        float[] base = Toy.run(mlp, x).toFloatArray();
        Parameter w0 = mlp.lin0.getDirectParameters().get("weight");
        float[] w0Before = w0.getArray().toFloatArray();
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().init(false).build());
        float[] unmerged = run(am);
        assertTrue(Toy.maxDiff(unmerged, base) > 1e-3);
        am.merge();
        assertTrue(Toy.maxDiff(run(am), unmerged) < 1e-4);
        am.unmerge();
        assertTrue(Toy.maxDiff(w0.getArray().toFloatArray(), w0Before) < 1e-4);
        try (AdapterScope off = am.disable()) {
            assertTrue(Toy.allClose(run(am), base, 1e-5, 1e-8));
        }
    }

    @Test
    void l1TermIsLambdaTimesMeanAbsGate() {
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().option("sparse_lambda", 0.1).build());
        SoraGateOptimizer g = Sora.gates(am, "default");
        setGate(g.layers().get("lin0"), 1f, -2f, 0f, 3f);
        setGate(g.layers().get("lin1"), 0.5f, 0.5f, -1f, 0f);
        float l1 = g.extraLoss(ParamSource.DIRECT, m).getFloat();
        assertEquals(0.1 * 8.0 / 8, l1, 1e-6);
    }

    @Test
    void gatesBelowThresholdBecomeExactlyZeroAfterATrainingStep() {
        Map<String, Parameter> baseParams = FamilyKit.baseParams(mlp.lin0, mlp.lin1);
        Map<String, float[]> baseBefore = FamilyKit.values(baseParams);
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().init(false).option("sparse_lambda_2", 0.01)
                .option("sparse_lr", 1e-6).build());
        SoraGateOptimizer g = Sora.gates(am, "default");
        setGate(g.layers().get("lin0"), 0.005f, -0.009f, 0.5f, -0.5f);
        setGate(g.layers().get("lin1"), 0.0f, 0.02f, -0.3f, 0.0099f);
        Map<String, float[]> adapterBefore = new HashMap<>();
        am.trainableParameterMap().forEach((k, p) -> adapterBefore.put(k, p.parameter().getArray().toFloatArray()));
        FamilyKit.train(am, m, 1, OptimizerKind.SGD, 0.5);
        float[] g0 = g.layers().get("lin0").gate().getArray().toFloatArray();
        float[] g1 = g.layers().get("lin1").gate().getArray().toFloatArray();
        assertEquals(0f, g0[0]);
        assertEquals(0f, g0[1]);
        assertEquals(0f, g1[0]);
        assertEquals(0f, g1[3]);
        // own AdamW at lr 1e-6 then soft threshold 0.01; the main optimizer (SGD lr 0.5) must not touch gates
        assertEquals(0.49, g0[2], 1e-5);
        assertEquals(-0.49, g0[3], 1e-5);
        assertEquals(0.01, g1[1], 1e-5);
        assertEquals(-0.29, g1[2], 1e-5);
        assertEquals(Map.of("lin0", 2, "lin1", 2), Sora.survivingRanks(am));
        Map<String, float[]> baseAfter = FamilyKit.values(baseParams);
        baseBefore.forEach((k, v) -> assertTrue(Toy.maxDiff(v, baseAfter.get(k)) < 1e-4, "base moved: " + k));
        for (String k : new String[] {"lin0.lora_A.default", "lin0.lora_B.default", "lin1.lora_B.default"}) {
            assertTrue(Toy.maxDiff(am.trainableParameterMap().get(k).parameter().getArray().toFloatArray(),
                    adapterBefore.get(k)) > 1e-4, "did not move: " + k);
        }
    }

    @Test
    void prunedSaveLoadReproducesOutputs(@TempDir Path dir) throws Exception {
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().init(false).build());
        SoraGateOptimizer g = Sora.gates(am, "default");
        setGate(g.layers().get("lin0"), 0f, 1.5f, 0f, -0.7f);
        setGate(g.layers().get("lin1"), 0f, 0f, 0f, 0f);
        float[] out = run(am);
        am.save(dir, "default");
        Map<String, Shape> shapes = FamilyKit.savedShapes(dir);
        assertEquals(new Shape(2, 10), shapes.get("base_model.model.lin0.lora_A"));
        assertEquals(new Shape(1, 2), shapes.get("base_model.model.lin0.gate"));
        assertEquals(new Shape(20, 2), shapes.get("base_model.model.lin0.lora_B"));
        assertEquals(new Shape(0, 20), shapes.get("base_model.model.lin1.lora_A"));
        assertTrue(Files.readString(dir.resolve(AdapterFiles.CONFIG)).contains("\"surviving_ranks\""));
        am.load(dir, "loaded");
        am.setActive("loaded");
        assertTrue(Toy.maxDiff(run(am), out) < 1e-5);
        for (AdaptedLayerInfo l : am.layers()) {
            if (l.adapterName().equals("loaded")) {
                assertEquals(l.path().equals("lin0") ? 2 : 0, l.r());
                assertEquals(8 / 4.0, l.scaling(), 0.0, "scaling of the original r");
            }
        }
        Table t = Sora.rankTable(am, "default");
        assertEquals(2, t.intColumn("surviving_rank").get(0));
        assertEquals(0, t.intColumn("surviving_rank").get(1));
        assertEquals(2L * 31, t.longColumn("params_after_pruning").get(0));
    }

    @Test
    void sparsitySchedule() {
        SoraOptions o = SoraOptions.of(cfg().option("sparse_lambda_2", 0.0).option("max_lambda", 7e-4)
                .option("lambda_num", 8).build());
        double[] v = o.lambdaValues();
        assertEquals(8, v.length);
        assertEquals(0.0, v[0], 0.0);
        assertEquals(1e-4, v[1], 1e-12);
        assertEquals(7e-4, v[7], 1e-12);
        // the reference's log_linear is log(linspace(e^λ₂, e^max)), not a geometric spacing (numpy values)
        double[] logLinear = SoraOptions.of(cfg().option("sparse_lambda_2", 0.0).option("max_lambda", 1.0)
                .option("lambda_num", 3).option("lambda_schedule", "log_linear").build()).lambdaValues();
        assertArrayEquals(new double[] {0.0, 0.62011451, 1.0}, logLinear, 1e-8);
        double[] small = SoraOptions.of(cfg().option("sparse_lambda_2", 1e-3).option("max_lambda", 7e-3)
                .option("lambda_num", 4).option("lambda_schedule", "log_linear").build()).lambdaValues();
        assertArrayEquals(new double[] {0.001, 0.003004, 0.005004, 0.007}, small, 1e-6);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SoraOptions.of(cfg()
                .option("sparse_lambda_2", 0.0).option("lambda_num", 3).option("max_lambda", 1e-2)
                .option("lambda_schedule", "exp_linear").build()));
        assertTrue(e.getMessage().contains("sparse_lambda_2 > 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SoraOptions.of(cfg().option("lambda_schedule", "cosine").build()));
        assertTrue(e.getMessage().contains("exp_linear"), e.getMessage());
        // exp_linear: exp(linspace(ln λ₂, ln max)), geometric
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().option("sparse_lambda_2", 1e-4).option("max_lambda", 1e-2)
                .option("lambda_num", 3).option("lambda_schedule", "exp_linear").build());
        SoraGateOptimizer g = Sora.gates(am, "default");
        assertEquals(1e-4, g.lambda2(), 1e-12);
        assertTrue(g.stepLambda());
        assertEquals(1e-3, g.lambda2(), 1e-12);
        assertTrue(g.stepLambda());
        assertFalse(g.stepLambda());
        assertEquals(1e-2, g.lambda2(), 1e-12);
        assertEquals(1e-2 * 0.5, new SoraGateOptimizer(SoraOptions.of(cfg().option("sparse_lambda_2", 1e-2)
                .option("threshold_times_lr", true).build())).threshold(0.5), 1e-12);
    }

    @Test
    void gateLearningRateFollowsTheTrainerSchedule() {
        SoraGateOptimizer follow = new SoraGateOptimizer(SoraOptions.of(cfg().option("sparse_lr", 0.02).build()));
        org.loralab.lora.train.Schedule linear = org.loralab.lora.train.Schedule.parse("linear", 2);
        double[] want = {0.0, 0.01, 0.02, 0.02 * 5 / 8.0, 0.02 / 8};
        long[] steps = {0, 1, 2, 5, 9};
        for (int i = 0; i < steps.length; i++) {
            StepInfo info = new StepInfo(steps[i], 10, linear.factor(steps[i], 10));
            assertEquals(want[i], follow.learningRate(info), 1e-12, "step " + steps[i]);
        }
        assertEquals(0.02, follow.learningRate(new StepInfo(3, 10)), 0.0, "a trainer without a schedule: factor 1");
        assertEquals(0.02, follow.learningRate(null), 0.0);
        SoraGateOptimizer constant = new SoraGateOptimizer(SoraOptions.of(cfg().option("sparse_lr", 0.02)
                .option("sparse_lr_schedule", "constant").build()));
        assertEquals(0.02, constant.learningRate(new StepInfo(0, 10, 0.0)), 0.0);
        assertEquals("trainer", SoraOptions.of(cfg().build()).sparseLrSchedule(), "following the trainer is the default");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SoraOptions.of(cfg().option("sparse_lr_schedule", "cosine").build()));
        assertTrue(e.getMessage().contains("\"trainer\""), e.getMessage());
    }

    /** Fit's warm-up gives the first update lr factor 0: the gates stay put unless sparse_lr_schedule=constant. */
    @Test
    void fitWarmupReachesTheGateOptimizer() {
        float[][] moved = new float[2][];
        String[] schedules = {"trainer", "constant"};
        for (int k = 0; k < 2; k++) {
            try (NDManager local = NDManager.newBaseManager()) {
                Toy.Mlp net = Toy.init(new Toy.Mlp(), local, new Shape(9, 10));
                AdaptedModel am = AdaptedModel.inject(net, cfg().init(false).option("sparse_lambda_2", 0.0)
                        .option("sparse_lr", 0.1).option("sparse_lr_schedule", schedules[k]).build());
                SoraLayer l = Sora.gates(am, "default").layers().get("lin0");
                float[] before = l.gate().getArray().toFloatArray();
                var report = org.loralab.lora.train.Fit.fit(am, FamilyKit.data(local, 3), null,
                        org.loralab.lora.train.FitOptions.defaults().steps(1).batchSize(12).lr(0.01)
                                .schedule("linear").warmupSteps(5).nonFiniteGuard(false));
                assertEquals(org.loralab.lora.train.StopReason.COMPLETED, report.stopReason());
                float[] after = l.gate().getArray().toFloatArray();
                moved[k] = new float[] {(float) Toy.maxDiff(before, after)};
            }
        }
        assertEquals(0.0, moved[0][0], 0.0, "lr factor 0 at step 0 of a warm-up: the gate update is zero");
        assertTrue(moved[1][0] > 0.05, "constant sparse_lr: AdamW's first step moves each gate by ~lr; " + moved[1][0]);
    }

    @Test
    void trainingSwitchesRanksOffAndThePrunedAdapterReproducesOutputs(@TempDir Path dir) throws Exception {
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().option("sparse_lambda_2", 0.05).option("sparse_lr", 0.01).build());
        var report = FamilyKit.train(am, m, 20, OptimizerKind.ADAMW, 0.01);
        assertEquals(org.loralab.lora.train.StopReason.COMPLETED, report.stopReason());
        int surviving = Sora.survivingRanks(am).values().stream().mapToInt(Integer::intValue).sum();
        assertTrue(surviving < 8, "gates N(0,1) shrunk by 0.05 per step for 20 steps: some must be exactly zero");
        float[] out = run(am);
        am.save(dir, "default");
        am.load(dir, "loaded");
        am.setActive("loaded");
        assertTrue(Toy.maxDiff(run(am), out) < 1e-5);
        long want = 0;
        for (AdaptedLayerInfo l : am.layers()) {
            if (l.adapterName().equals("loaded")) {
                want += (long) l.r() * (l.path().equals("lin0") ? 31 : 23);
                assertEquals((int) Sora.survivingRanks(am).get(l.path()), l.r());
            }
        }
        assertEquals(want, am.trainableParameters());
    }
}
