package org.loralab.lora.variant.lokr;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.inject.AdapterScope;
import org.loralab.lora.io.AdapterConfigJson;
import org.loralab.lora.testing.Toy;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.lora.Matrices;
import org.loralab.lora.variant.lycoris.ConvToy;
import org.loralab.lora.variant.lycoris.VariantChecks;

/** LoKr (spec §12): factorization, factor choice, Kronecker ΔW, inits, dropout, matrix. */
class LokrTest {
    private NDManager m;
    private NDArray x;

    @BeforeEach
    void setUp() {
        m = NDManager.newBaseManager();
        x = Toy.mlpInput(m).div(90f);
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    private Toy.Mlp mlp() {
        return Toy.init(new Toy.Mlp(), m, new Shape(9, 10));
    }

    private static AdapterConfig.Builder cfg() {
        return AdapterConfig.builder().variant("lokr").r(4).alpha(8).targetModules("lin0", "lin1").seed(0);
    }

    @Test
    void factorizationMatchesSpecExamples() {
        assertArrayEquals(new int[] {24, 32}, Factorization.factorize(768, -1));
        assertArrayEquals(new int[] {16, 16}, Factorization.factorize(256, -1));
        assertArrayEquals(new int[] {8, 16}, Factorization.factorize(128, -1));
        assertArrayEquals(new int[] {1, 127}, Factorization.factorize(127, -1));
        assertArrayEquals(new int[] {4, 32}, Factorization.factorize(128, 4));
        assertArrayEquals(new int[] {32, 4}, Factorization.factorize(128, 32), "a dividing factor is returned as is");
        assertArrayEquals(new int[] {2, 64}, Factorization.factorize(128, 3), "m limited to the factor");
        assertArrayEquals(new int[] {1, 1}, Factorization.factorize(1, -1));
    }

    @Test
    void countOf768LinearIsPeft1088() {
        Linear lin = Linear.builder().setUnits(768).optBias(false).build();
        lin.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, 768));
        ai.djl.nn.SequentialBlock root = new ai.djl.nn.SequentialBlock().add(lin);
        AdaptedModel am = AdaptedModel.inject(root, AdapterConfig.builder().variant("lokr").r(8).alpha(8)
                .targetModulesRegex(".*").build());
        assertEquals(1088, am.trainableParameters());
        assertEquals(Set.of("lokr_w1", "lokr_w2_a", "lokr_w2_b"), suffixes(am));
        Map<String, AdapterParam> t = am.adapterTensors("default");
        long[] w1 = t.values().stream().filter(p -> p.key().equals("lokr_w1")).findFirst().get()
                .parameter().getArray().getShape().getShape();
        assertArrayEquals(new long[] {24, 24}, w1);
    }

    private static Set<String> suffixes(AdaptedModel am) {
        Set<String> s = new java.util.TreeSet<>();
        for (AdapterParam p : am.adapterTensors("default").values()) {
            s.add(p.key());
        }
        return s;
    }

    @Test
    void factorChoices() {
        // lin0: out 20 = (4,5), in 10 = (2,5). r=4 >= max(5,5)/2 → w2 full [5,5]; w1 full [4,2]
        AdaptedModel full = AdaptedModel.inject(mlp(), cfg().targetModules("lin0").build());
        assertEquals(Set.of("lokr_w1", "lokr_w2"), suffixes(full));
        assertEquals(4 * 2 + 5 * 5, full.trainableParameters());
        // r=1 < 5/2 → w2 low rank; decompose_both and 1 < max(4,2)/2 → w1 low rank
        AdaptedModel both = AdaptedModel.inject(mlp(), cfg().r(1).alpha(1).targetModules("lin0")
                .option("decompose_both", true).build());
        assertEquals(Set.of("lokr_w1_a", "lokr_w1_b", "lokr_w2_a", "lokr_w2_b"), suffixes(both));
        assertEquals((4 + 2) + (5 + 5), both.trainableParameters());
        // decompose_factor 2: out 20 = (2,10), in 10 = (2,5); r=4 < 10/2 → w2 low rank [10,4],[4,5]
        AdaptedModel f2 = AdaptedModel.inject(mlp(), cfg().targetModules("lin0").option("decompose_factor", 2).build());
        assertEquals(Set.of("lokr_w1", "lokr_w2_a", "lokr_w2_b"), suffixes(f2));
        assertEquals(2 * 2 + 10 * 4 + 4 * 5, f2.trainableParameters());
    }

    @Test
    void noOpAtInitForTrueAndLycorisButNotFalse() {
        VariantChecks.noOpAtInit(mlp(), x, cfg().build());
        VariantChecks.noOpAtInit(mlp(), x, cfg().init("lycoris").r(1).option("decompose_both", true).build());
        AdaptedModel am = VariantChecks.noOpAtInit(mlp(), x, cfg().init("lycoris").build());
        for (float v : am.trainableParameterMap().get("lin0.lokr_w2.default").parameter().getArray().toFloatArray()) {
            assertEquals(0f, v);
        }
        Toy.Mlp net = mlp();
        float[] base = Toy.run(net, x).toFloatArray();
        AdaptedModel f = AdaptedModel.inject(net, cfg().init(false).build());
        assertFalse(Toy.allClose(Toy.run(f.block(), x).toFloatArray(), base, 1e-5, 1e-8));
        NDArray xc = ConvToy.input2d(m, 4);
        VariantChecks.noOpAtInit(ConvToy.conv2d(m, 4, 6, 3, 1, 1, 1), xc,
                cfg().r(1).targetModules("conv").option("use_effective_conv2d", true).build());
    }

    @Test
    void deltaIsScaledKronecker() {
        AdaptedModel am = AdaptedModel.inject(mlp(), cfg().targetModules("lin0").init(false).build());
        Map<String, AdapterParam> p = am.trainableParameterMap();
        float[][] w1 = Matrices.read(p.get("lin0.lokr_w1.default").parameter().getArray());
        float[][] w2 = Matrices.read(p.get("lin0.lokr_w2.default").parameter().getArray());
        float[][] d = am.deltaWeight("lin0", "default");
        for (int o = 0; o < 20; o++) {
            for (int i = 0; i < 10; i++) {
                assertEquals(2.0 * w1[o / 5][i / 5] * w2[o % 5][i % 5], d[o][i], 1e-6, "alpha/r applies to full factors too");
            }
        }
    }

    @Test
    void mergeUnmergeDisableLinearAndConv() {
        VariantChecks.mergeUnmergeDisable(mlp(), x, cfg().init(false).build(), 1e-4);
        VariantChecks.mergeUnmergeDisable(mlp(), x, cfg().r(1).init(false).option("decompose_both", true).build(), 1e-4);
        NDArray xc = ConvToy.input2d(m, 4);
        // conv 4→6 k3: out (2,3), in (2,2); r=1 < 3/2 → w2 low rank, flattened [3,1],[1,2*9]
        VariantChecks.mergeUnmergeDisable(ConvToy.conv2d(m, 4, 6, 3, 2, 1, 1), xc,
                cfg().r(1).targetModules("conv").init(false).build(), 1e-4);
        VariantChecks.mergeUnmergeDisable(ConvToy.conv2d(m, 4, 6, 3, 1, 1, 1), xc,
                cfg().r(1).targetModules("conv").init(false).option("use_effective_conv2d", true).build(), 1e-4);
        // r=4 → w2 full [3,2,3,3]
        VariantChecks.mergeUnmergeDisable(ConvToy.conv2d(m, 4, 6, 3, 1, 1, 2), xc,
                cfg().targetModules("conv").init(false).build(), 1e-4);
        VariantChecks.mergeUnmergeDisable(ConvToy.conv1d(m, 4, 6, 3, 1), ConvToy.input1d(m, 4),
                cfg().r(1).targetModules("conv").init(false).option("use_effective_conv2d", true).build(), 1e-4);
    }

    @Test
    void conv2dTensorShapes() {
        AdaptedModel eff = AdaptedModel.inject(ConvToy.conv2d(m, 4, 6, 3, 1, 1, 1),
                cfg().r(1).targetModules("conv").option("use_effective_conv2d", true).build());
        assertEquals(Set.of("lokr_w1", "lokr_t2", "lokr_w2_a", "lokr_w2_b"), suffixes(eff));
        assertEquals(2 * 2 + 9 + 3 + 2, eff.trainableParameters());
        AdaptedModel flat = AdaptedModel.inject(ConvToy.conv2d(m, 4, 6, 3, 1, 1, 1),
                cfg().r(1).targetModules("conv").build());
        assertEquals(2 * 2 + 3 + 2 * 9, flat.trainableParameters());
    }

    @Test
    void saveLoadRoundTripWithPeftNames(@TempDir Path dir) throws Exception {
        AdapterConfig c = cfg().r(1).init(false).option("decompose_both", true).option("rank_dropout_scale", true).build();
        Set<String> names = VariantChecks.saveLoadRoundTrip(mlp(), x, c, dir);
        assertTrue(names.contains("lin0.lokr_w1_a") && names.contains("lin1.lokr_w2_b"), names.toString());
        String json = AdapterConfigJson.toJson(c);
        assertTrue(json.contains("\"peft_type\": \"LOKR\"") && json.contains("\"decompose_both\": true")
                && json.contains("\"decompose_factor\": -1") && json.contains("\"rank_dropout_scale\": true"), json);
        AdapterConfig back = AdapterConfigJson.fromJson(json);
        assertEquals("lokr", back.variant());
        assertTrue(back.optionBoolean("decompose_both", false));
        AdapterConfig lyc = AdapterConfigJson.fromJson(AdapterConfigJson.toJson(cfg().init("lycoris").build()));
        assertEquals("lycoris", lyc.init().name());
    }

    @Test
    void onlyAdapterParamsMove() {
        VariantChecks.onlyAdapterParamsMove(mlp(), x, cfg().build(), 0.5f);
        VariantChecks.onlyAdapterParamsMove(mlp(), x, cfg().r(1).option("decompose_both", true).init("lycoris").build(), 0.5f);
        VariantChecks.onlyAdapterParamsMove(ConvToy.conv2d(m, 4, 6, 3, 1, 1, 1), ConvToy.input2d(m, 4),
                cfg().r(1).targetModules("conv").option("use_effective_conv2d", true).build(), 0.1f);
    }

    /** Output rows of the adapter's contribution are 0, 1x or (with rank_dropout_scale) 1/mean x the eval one. */
    @Test
    void rankDropoutMasksOutputRows() {
        for (boolean scale : new boolean[] {false, true}) {
            ConvToy net = ConvToy.conv2d(m, 4, 6, 3, 1, 1, 1);
            NDArray xc = ConvToy.input2d(m, 4);
            AdaptedModel am = AdaptedModel.inject(net, cfg().targetModules("lin").init(false)
                    .option("rank_dropout", 0.5).option("rank_dropout_scale", scale).build());
            float[] base;
            try (AdapterScope off = am.disable()) {
                base = Toy.run(am.block(), xc).toFloatArray();
            }
            float[] eval = Toy.run(am.block(), xc).toFloatArray();
            boolean sawDrop = false;
            boolean sawDouble = false;
            for (int trial = 0; trial < 20; trial++) {
                float[] t;
                try (GradientCollector gc = m.getEngine().newGradientCollector()) {
                    t = am.block().forward(new ParameterStore(m, false), new NDList(xc), true).head().toFloatArray();
                }
                for (int col = 0; col < 2; col++) {
                    double f0 = factor(t, eval, base, col);
                    boolean ok = Math.abs(f0) < 1e-3 || Math.abs(f0 - 1) < 1e-3 || scale && Math.abs(f0 - 2) < 1e-3;
                    assertTrue(ok, "row factor " + f0 + " (scale=" + scale + ")");
                    sawDrop |= Math.abs(f0) < 1e-3;
                    sawDouble |= Math.abs(f0 - 2) < 1e-3;
                }
            }
            assertTrue(sawDrop);
            assertEquals(scale, sawDouble, "1/mean rescale only with rank_dropout_scale");
        }
    }

    private static double factor(float[] t, float[] eval, float[] base, int col) {
        double num = 0;
        double den = 0;
        for (int row = 0; row < 2; row++) {
            double e = eval[row * 2 + col] - base[row * 2 + col];
            num += (t[row * 2 + col] - base[row * 2 + col]) * e;
            den += e * e;
        }
        return num / den;
    }

    @Test
    void badOptionsFailClearly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdaptedModel.inject(mlp(), cfg().option("decompose_factor", 0).build()));
        assertTrue(e.getMessage().contains("decompose_factor"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AdaptedModel.inject(mlp(), cfg().init("gaussian").build()));
    }
}
