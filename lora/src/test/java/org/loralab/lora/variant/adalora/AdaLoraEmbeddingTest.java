package org.loralab.lora.variant.adalora;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedLayerInfo;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.inject.AdapterScope;
import org.loralab.lora.testing.Toy;
import org.loralab.lora.train.Fit;
import org.loralab.lora.train.FitOptions;
import org.loralab.lora.train.StopReason;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.ParamRole;
import org.loralab.lora.variant.family.FamilyKit;
import org.loralab.lora.variant.family.KindCase;
import org.loralab.lora.variant.lora.Matrices;

/**
 * AdaLoRA on an Embedding (an extension; PEFT's AdaLoRA has none): A [r, V] looked up as a table, E [r, 1], B [d, r],
 * {@code ΔW = (B (A ⊙ E))ᵀ · α/(init_r + 1e-5)}; init_r = 4, target_r = 2, alpha = 8.
 */
class AdaLoraEmbeddingTest {
    private NDManager m;
    private KindCase k;

    @BeforeEach
    void setUp() {
        m = NDManager.newBaseManager();
        k = KindCase.of("embedding", m);
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    private static AdapterConfig.Builder cfg(long totalStep) {
        return AdaLora.config(totalStep).alpha(8).targetModules("emb").seed(0)
                .option("init_r", 4).option("target_r", 2).option("tinit", 2).option("tfinal", 2);
    }

    private static Parameter param(AdaptedModel am, String name) {
        AdapterParam p = am.trainableParameterMap().get("emb." + name + ".default");
        assertNotNull(p, name + " in " + am.trainableParameterMap().keySet());
        return p.parameter();
    }

    @Test
    void noOpAtInitShapesRolesAndExactCount() {
        float[] base = k.run(k.net());
        AdaptedModel am = AdaptedModel.inject(k.net(), cfg(10).build());
        assertTrue(Toy.allClose(k.run(am.block()), base, 1e-5, 1e-8));
        long v = k.perRank() - 3;
        assertEquals(4 * (v + 3 + 1), am.trainableParameters(), "init_r·(V + d + 1)");
        assertEquals(new Shape(4, v), param(am, "lora_A").getArray().getShape());
        assertEquals(new Shape(4, 1), param(am, "lora_E").getArray().getShape());
        assertEquals(new Shape(3, 4), param(am, "lora_B").getArray().getShape());
        assertEquals(ParamRole.EMBEDDING_A, am.trainableParameterMap().get("emb.lora_A.default").role(),
                "LoRA+ gives it the embedding lr");
        assertEquals(8 / (4 + 1e-5), am.layers().get(0).scaling(), 0.0);
    }

    @Test
    void deltaIsTheTransposedSvdProduct() {
        AdaptedModel am = AdaptedModel.inject(k.net(), cfg(10).init(false).build());
        float[][] a = Matrices.read(param(am, "lora_A").getArray());
        float[] e = param(am, "lora_E").getArray().toFloatArray();
        float[][] b = Matrices.read(param(am, "lora_B").getArray());
        float[][] delta = am.deltaWeight("emb", "default"); // [V, d]
        double s = 8 / (4 + 1e-5);
        double maxErr = 0;
        for (int vi = 0; vi < a[0].length; vi++) {
            for (int j = 0; j < 3; j++) {
                double want = 0;
                for (int c = 0; c < 4; c++) {
                    want += b[j][c] * e[c] * a[c][vi];
                }
                maxErr = Math.max(maxErr, Math.abs(delta[vi][j] - s * want));
            }
        }
        assertTrue(maxErr < 1e-5, "error " + maxErr);
    }

    @Test
    void mergedEqualsUnmergedUnmergeRestoresDisableIsBase() {
        k.assertMergeUnmergeDisable(net -> AdaptedModel.inject(net, cfg(10).init(false).build()));
    }

    @Test
    void trainingPrunesToTheTargetAndThePrunedAdapterRoundTrips(@TempDir Path dir) throws Exception {
        Map<String, Parameter> baseParams = k.baseParams();
        Map<String, float[]> before = FamilyKit.values(baseParams);
        AdaptedModel am = AdaptedModel.inject(k.net(), cfg(12).build());
        Map<String, float[]> adapterBefore = new HashMap<>();
        am.trainableParameterMap().forEach((n, p) -> adapterBefore.put(n, p.parameter().getArray().toFloatArray()));
        List<String> warnings = new java.util.ArrayList<>();
        var report = Fit.fit(am, k.data(), null, FitOptions.defaults().steps(12).batchSize(12).lr(0.01)
                .nonFiniteGuard(false).listener(new org.loralab.lora.train.FitListener() {
                    @Override
                    public void onWarning(String message) {
                        warnings.add(message);
                    }
                }));
        assertEquals(StopReason.COMPLETED, report.stopReason(), String.valueOf(report.message()));
        assertEquals(List.of(), warnings, "total_step equals the fit's steps");
        FamilyKit.values(baseParams).forEach((n, v) -> assertEquals(0.0, Toy.maxDiff(before.get(n), v), 0.0,
                "base param moved: " + n));
        am.trainableParameterMap().forEach((n, p) -> assertTrue(
                Toy.maxDiff(p.parameter().getArray().toFloatArray(), adapterBefore.get(n)) > 1e-5, "did not move: " + n));
        // final mask at step total_step − tfinal = 10 to the target budget 2·1, re-applied at step 11
        assertEquals(Map.of("emb", 2), AdaLora.allocator(am).activeRanks());

        float[] out = k.run(am.block());
        am.save(dir, "default");
        long v = k.perRank() - 3;
        assertEquals(Map.of("base_model.model.emb.lora_A", new Shape(2, v), "base_model.model.emb.lora_E", new Shape(2, 1),
                "base_model.model.emb.lora_B", new Shape(3, 2)), FamilyKit.savedShapes(dir));
        am.load(dir, "loaded");
        am.setActive("loaded");
        assertTrue(Toy.maxDiff(k.run(am.block()), out) < 1e-5);
        for (AdaptedLayerInfo l : am.layers()) {
            if (l.adapterName().equals("loaded")) {
                assertEquals(2, l.r());
                assertEquals(8 / (4 + 1e-5), l.scaling(), 0.0, "ranknum stays init_r");
            }
        }
        assertEquals(2 * (v + 3 + 1), am.trainableParameters());
    }
}
