package org.loralab.lora.variant.loha;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
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
import org.loralab.lora.io.AdapterConfigJson;
import org.loralab.lora.testing.Ref;
import org.loralab.lora.testing.Toy;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.lora.Matrices;
import org.loralab.lora.variant.lycoris.ConvToy;
import org.loralab.lora.variant.lycoris.VariantChecks;

/** LoHa (spec §11) on the toy MLP and on Conv1d/Conv2d, flattened and effective. */
class LohaTest {
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
        return AdapterConfig.builder().variant("loha").r(4).alpha(8).targetModules("lin0", "lin1").seed(0);
    }

    @Test
    void noOpAtInitAndW2bIsZero() {
        AdaptedModel am = VariantChecks.noOpAtInit(mlp(), x, cfg().build());
        Map<String, AdapterParam> t = am.trainableParameterMap();
        for (float v : t.get("lin0.hada_w2_b.default").parameter().getArray().toFloatArray()) {
            assertEquals(0f, v);
        }
        float[] w1a = t.get("lin0.hada_w1_a.default").parameter().getArray().toFloatArray();
        double bound = 1 / Math.sqrt(4);
        for (float v : w1a) {
            assertTrue(Math.abs(v) <= bound, "kaiming bound 1/sqrt(fan_in=r)");
        }
    }

    @Test
    void exactParameterCountsAndScaling() {
        AdaptedModel am = AdaptedModel.inject(mlp(), cfg().build());
        assertEquals(2 * 4 * (20 + 10) + 2 * 4 * (2 + 20), am.trainableParameters());
        assertEquals(2.0, am.layers().get(0).scaling());
        AdaptedModel conv = AdaptedModel.inject(ConvToy.conv2d(m, 4, 6, 3, 1, 1, 1),
                cfg().targetModules("conv").build());
        assertEquals(2 * 4 * (6 + 4 * 9), conv.trainableParameters());
        AdaptedModel eff = AdaptedModel.inject(ConvToy.conv2d(m, 4, 6, 3, 1, 1, 1),
                cfg().targetModules("conv").option("use_effective_conv2d", true).build());
        assertEquals(2 * (4 * 4 * 9 + 4 * 6 + 4 * 4), eff.trainableParameters());
    }

    @Test
    void forwardMatchesHadamardFormula() {
        Toy.Mlp net = mlp();
        float[][] w0 = Matrices.read(net.lin0.getDirectParameters().get("weight").getArray());
        float[] b0 = net.lin0.getDirectParameters().get("bias").getArray().toFloatArray();
        float[][] w1 = Matrices.read(net.lin1.getDirectParameters().get("weight").getArray());
        float[] b1 = net.lin1.getDirectParameters().get("bias").getArray().toFloatArray();
        AdaptedModel am = AdaptedModel.inject(net, cfg().init(false).build());
        Map<String, AdapterParam> p = am.trainableParameterMap();
        float[][] xs = Ref.matrix(x.toFloatArray(), 9, 10);
        float[][] h = Ref.relu(Ref.add(Ref.linear(xs, w0, b0), Ref.linear(xs, hada(p, "lin0"), null), 2.0));
        float[][] y = Ref.add(Ref.linear(h, w1, b1), Ref.linear(h, hada(p, "lin1"), null), 2.0);
        float[] expected = Ref.flat(Ref.logSoftmax(y));
        float[] got = Toy.run(am.block(), x).toFloatArray();
        assertTrue(Toy.allClose(got, expected, 1e-5, 1e-5), "max diff " + Toy.maxDiff(got, expected));
    }

    private static float[][] hada(Map<String, AdapterParam> p, String layer) {
        float[][] a = Ref.matmul(mat(p, layer, "hada_w1_a"), mat(p, layer, "hada_w1_b"));
        float[][] b = Ref.matmul(mat(p, layer, "hada_w2_a"), mat(p, layer, "hada_w2_b"));
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                a[i][j] *= b[i][j];
            }
        }
        return a;
    }

    private static float[][] mat(Map<String, AdapterParam> p, String layer, String key) {
        return Matrices.read(p.get(layer + "." + key + ".default").parameter().getArray());
    }

    @Test
    void mergeUnmergeDisableLinear() {
        VariantChecks.mergeUnmergeDisable(mlp(), x, cfg().init(false).build(), 1e-4);
    }

    @Test
    void mergeUnmergeDisableConv2dFlattenedAndEffective() {
        NDArray xc = ConvToy.input2d(m, 4);
        VariantChecks.mergeUnmergeDisable(ConvToy.conv2d(m, 4, 6, 3, 2, 1, 1), xc,
                cfg().targetModules("conv", "lin").init(false).build(), 1e-4);
        VariantChecks.mergeUnmergeDisable(ConvToy.conv2d(m, 4, 6, 3, 1, 1, 1), xc,
                cfg().targetModules("conv").init(false).option("use_effective_conv2d", true).build(), 1e-4);
        VariantChecks.mergeUnmergeDisable(ConvToy.conv2d(m, 4, 6, 3, 1, 2, 1, 2), xc,
                cfg().targetModules("conv").init(false).option("use_effective_conv2d", true).build(), 1e-4);
        VariantChecks.noOpAtInit(ConvToy.conv2d(m, 4, 6, 3, 1, 1, 1), xc,
                cfg().targetModules("conv").option("use_effective_conv2d", true).build());
    }

    @Test
    void conv1dGroupedAndOneByOne() {
        NDArray x1 = ConvToy.input1d(m, 4);
        VariantChecks.mergeUnmergeDisable(ConvToy.conv1d(m, 4, 6, 3, 2), x1,
                cfg().r(2).targetModules("conv").init(false).build(), 1e-4);
        VariantChecks.mergeUnmergeDisable(ConvToy.conv1d(m, 4, 6, 3, 1), x1,
                cfg().r(2).targetModules("conv").init(false).option("use_effective_conv2d", true).build(), 1e-4);
        AdaptedModel one = AdaptedModel.inject(ConvToy.conv2d(m, 4, 6, 1, 1, 0, 1),
                cfg().targetModules("conv").option("use_effective_conv2d", true).build());
        assertTrue(one.adapterTensors("default").keySet().stream().noneMatch(k -> k.contains("hada_t")),
                "1x1 kernels never use the effective form");
    }

    @Test
    void effectiveConvDeltaIsHadamardOfTuckerKernels() {
        AdaptedModel am = AdaptedModel.inject(ConvToy.conv2d(m, 3, 5, 3, 1, 0, 1),
                cfg().r(2).targetModules("conv").init(false).option("use_effective_conv2d", true).build());
        Map<String, AdapterParam> p = am.trainableParameterMap();
        float[] t1 = p.get("conv.hada_t1.default").parameter().getArray().toFloatArray();
        float[] t2 = p.get("conv.hada_t2.default").parameter().getArray().toFloatArray();
        float[][] a1 = mat(p, "conv", "hada_w1_a");
        float[][] b1 = mat(p, "conv", "hada_w1_b");
        float[][] a2 = mat(p, "conv", "hada_w2_a");
        float[][] b2 = mat(p, "conv", "hada_w2_b");
        float[][] delta = am.deltaWeight("conv", "default");
        double s = 8.0 / 2;
        for (int o = 0; o < 5; o++) {
            for (int c = 0; c < 3; c++) {
                for (int k = 0; k < 9; k++) {
                    double r1 = 0;
                    double r2 = 0;
                    for (int i = 0; i < 2; i++) {
                        for (int j = 0; j < 2; j++) {
                            r1 += t1[(i * 2 + j) * 9 + k] * a1[i][o] * b1[j][c];
                            r2 += t2[(i * 2 + j) * 9 + k] * a2[i][o] * b2[j][c];
                        }
                    }
                    assertEquals(r1 * r2 * s, delta[o][c * 9 + k], 1e-5);
                }
            }
        }
    }

    @Test
    void saveLoadRoundTripWithPeftNames(@TempDir Path dir) throws Exception {
        AdapterConfig c = cfg().init(false).option("rank_dropout", 0.25).option("module_dropout", 0.1).build();
        Set<String> names = VariantChecks.saveLoadRoundTrip(mlp(), x, c, dir);
        assertEquals(Set.of("lin0.hada_w1_a", "lin0.hada_w1_b", "lin0.hada_w2_a", "lin0.hada_w2_b",
                "lin1.hada_w1_a", "lin1.hada_w1_b", "lin1.hada_w2_a", "lin1.hada_w2_b"), names);
        String json = AdapterConfigJson.toJson(c);
        assertTrue(json.contains("\"peft_type\": \"LOHA\"") && json.contains("\"alpha\": 8")
                && json.contains("\"rank_dropout\": 0.25") && json.contains("\"use_effective_conv2d\": false")
                && json.contains("\"init_weights\": false") && !json.contains("lora_alpha"), json);
        AdapterConfig back = AdapterConfigJson.fromJson(json);
        assertEquals("loha", back.variant());
        assertEquals(8.0, back.alpha());
        assertEquals(0.25, back.optionDouble("rank_dropout", 0));
        assertEquals("false", back.init().name());
    }

    @Test
    void onlyAdapterParamsMove() {
        VariantChecks.onlyAdapterParamsMove(mlp(), x, cfg().build(), 0.5f);
        VariantChecks.onlyAdapterParamsMove(ConvToy.conv2d(m, 4, 6, 3, 1, 1, 1), ConvToy.input2d(m, 4),
                cfg().targetModules("conv").option("use_effective_conv2d", true).build(), 0.1f);
    }

    @Test
    void rankAndModuleDropoutOnlyInTraining() {
        AdaptedModel am = AdaptedModel.inject(mlp(), cfg().init(false).option("rank_dropout", 0.5).build());
        float[] eval = Toy.run(am.block(), x).toFloatArray();
        assertArrayEquals(eval, Toy.run(am.block(), x).toFloatArray(), "eval is deterministic");
        try (GradientCollector gc = m.getEngine().newGradientCollector()) {
            float[] t = am.block().forward(new ParameterStore(m, false), new NDList(x), true).head().toFloatArray();
            assertFalse(Toy.allClose(t, eval, 1e-6, 1e-6), "training forward drops rows of ΔW");
        }
        Toy.Mlp net = mlp();
        float[] base = Toy.run(net, x).toFloatArray();
        AdaptedModel skip = AdaptedModel.inject(net, cfg().init(false).option("module_dropout", 0.999999).build());
        try (GradientCollector gc = m.getEngine().newGradientCollector()) {
            float[] t = skip.block().forward(new ParameterStore(m, false), new NDList(x), true).head().toFloatArray();
            assertTrue(Toy.allClose(t, base, 1e-6, 1e-7), "module dropout ~1 skips the adapter in training");
        }
        assertFalse(Toy.allClose(Toy.run(skip.block(), x).toFloatArray(), base, 1e-6, 1e-6), "but not in eval");
    }

    @Test
    void badOptionsFailClearly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdaptedModel.inject(mlp(), cfg().option("rank_dropout", 1.5).build()));
        assertTrue(e.getMessage().contains("rank_dropout"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> AdaptedModel.inject(mlp(), cfg().init("gaussian").build()));
    }
}
