package org.loralab.lora.variant.sora;

import org.loralab.lora.testing.ManagedTest;
import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedLayerInfo;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.inject.AdapterScope;
import org.loralab.lora.testing.Toy;
import org.loralab.lora.train.Fit;
import org.loralab.lora.train.FitOptions;
import org.loralab.lora.train.OptimizerKind;
import org.loralab.lora.train.StopReason;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.family.FamilyKit;
import org.loralab.lora.variant.family.KindCase;
import org.loralab.lora.variant.lora.Matrices;
import tech.tablesaw.api.Table;

/**
 * SoRA on Conv2d (kh×kw conv in→r, gate, 1×1 conv r→out) and Embedding (table A [r, V], gate, B [d, r]), r = 4,
 * alpha = 8: {@code ΔW = (α/r)·B·diag(g)·A} in LoRA's form of each kind.
 */
class SoraConvEmbeddingTest extends ManagedTest {

    private static AdapterConfig.Builder cfg(KindCase k) {
        return AdapterConfig.builder().variant("sora").r(4).alpha(8).targetModules(k.path()).seed(0);
    }

    private static String name(KindCase k, String which) {
        if (which.equals("gate")) {
            return "gate";
        }
        return (k.kind().equals("embedding") ? "lora_embedding_" : "lora_") + which;
    }

    private static Parameter param(AdaptedModel am, KindCase k, String which) {
        String key = k.path() + "." + name(k, which) + ".default";
        AdapterParam p = am.trainableParameterMap().get(key);
        assertNotNull(p, key + " in " + am.trainableParameterMap().keySet());
        return p.parameter();
    }

    private static void setGate(AdaptedModel am, KindCase k, float... g) {
        NDArray v = Sora.gates(am, "default").layers().get(k.path()).gate().getArray();
        try (NDArray nv = v.getManager().create(g, v.getShape())) {
            nv.copyTo(v);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"conv2d", "embedding"})
    void noOpAtInitShapesAndExactCount(String kind) {
        KindCase k = KindCase.of(kind, m);
        float[] base = k.run(k.net());
        AdaptedModel am = AdaptedModel.inject(k.net(), cfg(k).build());
        assertTrue(Toy.allClose(k.run(am.block()), base, 1e-5, 1e-8));
        assertEquals(4 * k.perRank() + 4, am.trainableParameters(), "r·(A and B entries per rank) + r gates");
        boolean conv = kind.equals("conv2d");
        assertEquals(conv ? new Shape(4, 5, 3, 3) : new Shape(4, k.perRank() - 3), param(am, k, "A").getArray().getShape());
        assertEquals(conv ? new Shape(10, 4, 1, 1) : new Shape(3, 4), param(am, k, "B").getArray().getShape());
        assertEquals(new Shape(1, 4), param(am, k, "gate").getArray().getShape());
        assertEquals(0f, param(am, k, conv ? "B" : "A").getArray().abs().max().getFloat(), "LoRA's zero factor");
    }

    @ParameterizedTest
    @ValueSource(strings = {"conv2d", "embedding"})
    void deltaIsScaledGatedProduct(String kind) {
        KindCase k = KindCase.of(kind, m);
        AdaptedModel am = AdaptedModel.inject(k.net(), cfg(k).init(false).build());
        setGate(am, k, 0.5f, 0f, -2f, 1f);
        float[][] a = Matrices.read(param(am, k, "A").getArray());
        float[][] b = Matrices.read(param(am, k, "B").getArray());
        float[] g = {0.5f, 0f, -2f, 1f};
        float[][] delta = am.deltaWeight(k.path(), "default");
        boolean emb = kind.equals("embedding");
        double maxErr = 0;
        for (int o = 0; o < b.length; o++) {
            for (int i = 0; i < a[0].length; i++) {
                double want = 0;
                for (int c = 0; c < 4; c++) {
                    want += b[o][c] * g[c] * a[c][i];
                }
                maxErr = Math.max(maxErr, Math.abs((emb ? delta[i][o] : delta[o][i]) - 2.0 * want));
            }
        }
        assertTrue(maxErr < 1e-5, "ΔW = (8/4)·B·diag(g)·A, error " + maxErr);
    }

    @ParameterizedTest
    @ValueSource(strings = {"conv2d", "embedding", "padded-strided-conv2d"})
    void mergedEqualsUnmergedUnmergeRestoresDisableIsBase(String kind) {
        KindCase k = kind.startsWith("padded") ? KindCase.paddedStridedConv(m) : KindCase.of(kind, m);
        k.assertMergeUnmergeDisable(net -> AdaptedModel.inject(net, cfg(k).init(false).build()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"conv2d", "embedding"})
    void onlyAdapterParamsMoveAndGatesGetTheirOwnStep(String kind) {
        KindCase k = KindCase.of(kind, m);
        Map<String, Parameter> baseParams = k.baseParams();
        Map<String, float[]> before = FamilyKit.values(baseParams);
        AdaptedModel am = AdaptedModel.inject(k.net(), cfg(k).init(false).option("sparse_lambda_2", 0.05)
                .option("sparse_lr", 0.01).build());
        Map<String, float[]> adapterBefore = new HashMap<>();
        am.trainableParameterMap().forEach((n, p) -> adapterBefore.put(n, p.parameter().getArray().toFloatArray()));
        var report = Fit.fit(am, k.data(), null, FitOptions.defaults().steps(20).batchSize(12)
                .optimizer(OptimizerKind.ADAMW).lr(0.01).nonFiniteGuard(false));
        assertEquals(StopReason.COMPLETED, report.stopReason(), String.valueOf(report.message()));
        FamilyKit.values(baseParams).forEach((n, v) -> assertEquals(0.0, Toy.maxDiff(before.get(n), v), 0.0,
                "base param moved: " + n));
        assertEquals(3, adapterBefore.size(), adapterBefore.keySet().toString());
        am.trainableParameterMap().forEach((n, p) -> assertTrue(
                Toy.maxDiff(p.parameter().getArray().toFloatArray(), adapterBefore.get(n)) > 1e-4, "did not move: " + n));
        int surviving = Sora.survivingRanks(am).get(k.path());
        assertTrue(surviving < 4, "gates N(0,1) shrunk by 0.05 per step for 20 steps: some must be exactly zero");
    }

    @ParameterizedTest
    @ValueSource(strings = {"conv2d", "embedding"})
    void prunedSaveLoadRoundTrip(String kind, @TempDir Path dir) throws Exception {
        KindCase k = KindCase.of(kind, m);
        AdaptedModel am = AdaptedModel.inject(k.net(), cfg(k).init(false).build());
        setGate(am, k, 0f, 1.5f, 0f, -0.7f);
        float[] out = k.run(am.block());
        am.save(dir, "default");
        Map<String, Shape> saved = FamilyKit.savedShapes(dir);
        String prefix = "base_model.model." + k.path() + ".";
        boolean conv = kind.equals("conv2d");
        assertEquals(Map.of(prefix + name(k, "A"), conv ? new Shape(2, 5, 3, 3) : new Shape(2, k.perRank() - 3),
                prefix + "gate", new Shape(1, 2),
                prefix + name(k, "B"), conv ? new Shape(10, 2, 1, 1) : new Shape(3, 2)), saved);
        am.load(dir, "loaded");
        am.setActive("loaded");
        assertTrue(Toy.maxDiff(k.run(am.block()), out) < 1e-5);
        for (AdaptedLayerInfo l : am.layers()) {
            if (l.adapterName().equals("loaded")) {
                assertEquals(2, l.r());
                assertEquals(8 / 4.0, l.scaling(), 0.0, "scaling of the original r");
            }
        }
        assertEquals(2 * k.perRank() + 2, am.trainableParameters());
        Table t = Sora.rankTable(am, "default");
        assertEquals(4 * (k.perRank() + 1), t.longColumn("params").get(0));
        assertEquals(2 * (k.perRank() + 1), t.longColumn("params_after_pruning").get(0));
    }
}
