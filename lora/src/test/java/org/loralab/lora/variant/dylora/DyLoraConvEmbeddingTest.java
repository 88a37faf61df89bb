package org.loralab.lora.variant.dylora;

import org.loralab.lora.testing.ManagedTest;
import static org.junit.jupiter.api.Assertions.*;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.loralab.lora.config.AdapterConfig;
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

/**
 * DyLoRA on Conv2d (a kh×kw conv in→r, then a 1×1 conv r→out) and Embedding (A a table [r, V], B [d, r] on top),
 * r_max = 4, alpha = 8: LoRA's form of each kind truncated to rank b.
 */
class DyLoraConvEmbeddingTest extends ManagedTest {

    private static AdapterConfig.Builder cfg(KindCase k) {
        return AdapterConfig.builder().variant("dylora").r(4).alpha(8).targetModules(k.path()).seed(0);
    }

    private static String a(KindCase k) {
        return k.path() + (k.kind().equals("embedding") ? ".lora_embedding_A" : ".lora_A") + ".default";
    }

    private static String b(KindCase k) {
        return k.path() + (k.kind().equals("embedding") ? ".lora_embedding_B" : ".lora_B") + ".default";
    }

    private static Parameter param(AdaptedModel am, String name) {
        AdapterParam p = am.trainableParameterMap().get(name);
        assertNotNull(p, name + " in " + am.trainableParameterMap().keySet());
        return p.parameter();
    }

    @ParameterizedTest
    @ValueSource(strings = {"conv2d", "embedding"})
    void noOpAtInitShapesAndExactCount(String kind) {
        KindCase k = KindCase.of(kind, m);
        float[] base = k.run(k.net());
        AdaptedModel am = AdaptedModel.inject(k.net(), cfg(k).build());
        assertTrue(Toy.allClose(k.run(am.block()), base, 1e-5, 1e-8));
        assertEquals(4 * k.perRank(), am.trainableParameters());
        Shape wantA = kind.equals("conv2d") ? new Shape(4, 5, 3, 3) : new Shape(4, k.perRank() - 3);
        Shape wantB = kind.equals("conv2d") ? new Shape(10, 4, 1, 1) : new Shape(3, 4);
        assertEquals(wantA, param(am, a(k)).getArray().getShape());
        assertEquals(wantB, param(am, b(k)).getArray().getShape());
        // LoRA's init: B = 0 on conv, A = 0 on the embedding
        String zero = kind.equals("conv2d") ? b(k) : a(k);
        assertEquals(0f, param(am, zero).getArray().abs().max().getFloat());
    }

    @ParameterizedTest
    @ValueSource(strings = {"conv2d", "embedding"})
    void updateAtRankBIsAlphaOverBTimesTruncatedProduct(String kind) {
        KindCase k = KindCase.of(kind, m);
        AdaptedModel am = AdaptedModel.inject(k.net(), cfg(k).init(false).build());
        float[][] av = Matrices.read(param(am, a(k)).getArray()); // [4, in·kh·kw] or [4, V]
        float[][] bv = Matrices.read(param(am, b(k)).getArray()); // [out, 4] or [d, 4]
        boolean emb = kind.equals("embedding");
        for (int rank = 1; rank <= 4; rank++) {
            DyLora.setRank(am, rank);
            float[][] delta = am.deltaWeight(k.path(), "default"); // [out, in·kh·kw] or [V, d]
            double maxErr = 0;
            for (int o = 0; o < bv.length; o++) {
                for (int i = 0; i < av[0].length; i++) {
                    double want = 0;
                    for (int c = 0; c < rank; c++) {
                        want += bv[o][c] * av[c][i];
                    }
                    want *= 8.0 / rank;
                    maxErr = Math.max(maxErr, Math.abs((emb ? delta[i][o] : delta[o][i]) - want));
                }
            }
            assertTrue(maxErr < 1e-5, kind + " rank " + rank + " error " + maxErr);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"conv2d", "embedding", "padded-strided-conv2d"})
    void mergedEqualsUnmergedUnmergeRestoresDisableIsBase(String kind) {
        KindCase k = kind.startsWith("padded") ? KindCase.paddedStridedConv(m) : KindCase.of(kind, m);
        k.assertMergeUnmergeDisable(net -> {
            AdaptedModel am = AdaptedModel.inject(net, cfg(k).init(false).build());
            DyLora.setRank(am, 3);
            return am;
        });
    }

    private float[][] gradsAtRank(KindCase k, int rank) {
        AdaptedModel am = AdaptedModel.inject(k.net(), cfg(k).init(false).build());
        DyLora.state(am, "default").beginStepAt(rank);
        ParameterStore ps = new ParameterStore(m, false);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(am.block().forward(ps, new NDList(k.x()), true).head().sum());
        }
        float[][] gA = Matrices.read(param(am, a(k)).getArray().getGradient());
        float[][] gB = Matrices.read(param(am, b(k)).getArray().getGradient());
        float[][] abs = new float[2][4];
        for (int c = 0; c < 4; c++) {
            for (float v : gA[c]) {
                abs[0][c] += Math.abs(v);
            }
            for (float[] row : gB) {
                abs[1][c] += Math.abs(row[c]);
            }
        }
        return abs;
    }

    @ParameterizedTest
    @ValueSource(strings = {"conv2d", "embedding"})
    void frozenModeGivesGradientOnlyToComponentB(String kind) {
        float[][] g = gradsAtRank(KindCase.of(kind, m), 3);
        for (int c = 0; c < 4; c++) {
            assertEquals(c == 2, g[0][c] > 0, kind + " A row " + c + " grad " + g[0][c]);
            assertEquals(c == 2, g[1][c] > 0, kind + " B column " + c + " grad " + g[1][c]);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"conv2d", "embedding"})
    void onlyAdapterParamsMoveInTraining(String kind) {
        KindCase k = KindCase.of(kind, m);
        Map<String, Parameter> baseParams = k.baseParams();
        Map<String, float[]> before = FamilyKit.values(baseParams);
        AdaptedModel am = AdaptedModel.inject(k.net(), cfg(k).init(false).targetModules(k.path()).build());
        Map<String, float[]> adapterBefore = new HashMap<>();
        am.trainableParameterMap().forEach((n, p) -> adapterBefore.put(n, p.parameter().getArray().toFloatArray()));
        var report = Fit.fit(am, k.data(), null, FitOptions.defaults().steps(12).batchSize(12)
                .optimizer(OptimizerKind.SGD).lr(0.05).nonFiniteGuard(false));
        assertEquals(StopReason.COMPLETED, report.stopReason(), String.valueOf(report.message()));
        FamilyKit.values(baseParams).forEach((n, v) -> assertEquals(0.0, Toy.maxDiff(before.get(n), v), 0.0,
                "base param moved: " + n));
        assertEquals(2, adapterBefore.size(), adapterBefore.keySet().toString());
        am.trainableParameterMap().forEach((n, p) -> assertTrue(
                Toy.maxDiff(p.parameter().getArray().toFloatArray(), adapterBefore.get(n)) > 1e-5, "did not move: " + n));
    }

    @ParameterizedTest
    @ValueSource(strings = {"conv2d", "embedding"})
    void saveLoadRoundTrip(String kind, @TempDir Path dir) throws Exception {
        KindCase k = KindCase.of(kind, m);
        AdaptedModel am = AdaptedModel.inject(k.net(), cfg(k).init(false).build());
        DyLora.setRank(am, 2);
        float[] out = k.run(am.block());
        am.save(dir, "default");
        Map<String, Shape> saved = FamilyKit.savedShapes(dir);
        String prefix = "base_model.model." + k.path();
        assertEquals(Map.of(prefix + a(k).substring(k.path().length(), a(k).length() - ".default".length()),
                        param(am, a(k)).getArray().getShape(),
                        prefix + b(k).substring(k.path().length(), b(k).length() - ".default".length()),
                        param(am, b(k)).getArray().getShape()), saved);
        am.load(dir, "loaded");
        am.setActive("loaded");
        DyLora.setRank(am, "loaded", 2);
        assertTrue(Toy.maxDiff(k.run(am.block()), out) < 1e-5);
        assertEquals("dylora", am.config("loaded").variant());
    }

    @Test
    void dilatedAndGroupedConvAreRejectedWithAReason() {
        ai.djl.nn.SequentialBlock dilated = new ai.djl.nn.SequentialBlock().add(ai.djl.nn.convolutional.Conv2d.builder()
                .setFilters(2).setKernelShape(new Shape(3, 3)).optDilation(new Shape(2, 2)).build());
        Toy.init(dilated, m, new Shape(1, 3, 8, 8));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdaptedModel.inject(dilated,
                AdapterConfig.builder().variant("dylora").r(2).targetModules("0").build()));
        assertTrue(e.getMessage().contains("dilated conv '0'"), e.getMessage());
        ai.djl.nn.SequentialBlock grouped = new ai.djl.nn.SequentialBlock().add(ai.djl.nn.convolutional.Conv2d.builder()
                .setFilters(4).setKernelShape(new Shape(1, 1)).optGroups(2).build());
        Toy.init(grouped, m, new Shape(1, 4, 3, 3));
        e = assertThrows(IllegalArgumentException.class, () -> AdaptedModel.inject(grouped,
                AdapterConfig.builder().variant("dylora").r(2).targetModules("0").build()));
        assertTrue(e.getMessage().contains("groups=2"), e.getMessage());
        assertTrue(grouped.getChildren().valueAt(0) instanceof ai.djl.nn.convolutional.Conv2d, "tree left as it was");
    }
}
