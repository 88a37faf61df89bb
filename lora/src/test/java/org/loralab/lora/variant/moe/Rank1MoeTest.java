package org.loralab.lora.variant.moe;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
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
import org.loralab.lora.variant.lycoris.VariantChecks;

/** Mixture of rank-1 experts (spec §17b): routed forward, top-k gate, merge refused for a token router. */
class Rank1MoeTest {
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
        return AdapterConfig.builder().variant("moe").r(4).alpha(8).targetModules("lin0", "lin1").option("top_k", 2).seed(0);
    }

    @Test
    void noOpAtInitAndCounts() {
        AdaptedModel am = VariantChecks.noOpAtInit(mlp(), x, cfg().build());
        assertEquals(4 * (10 + 20) + 4 * 10 + 4 * (20 + 2) + 4 * 20, am.trainableParameters());
        AdaptedModel st = AdaptedModel.inject(mlp(), cfg().option("router", "static").build());
        assertEquals(4 * (10 + 20) + 4 + 4 * (20 + 2) + 4, st.trainableParameters());
    }

    /** lin0's contribution for every token equals s · Σ_{i in top2} softmax_i · b_i (a_i · x). */
    @Test
    void forwardMatchesRoutedFormula() {
        for (String act : new String[] {"softmax", "sigmoid"}) {
            Toy.Mlp net = mlp();
            float[][] w0 = Matrices.read(net.lin0.getDirectParameters().get("weight").getArray());
            float[] b0 = net.lin0.getDirectParameters().get("bias").getArray().toFloatArray();
            float[][] w1 = Matrices.read(net.lin1.getDirectParameters().get("weight").getArray());
            float[] b1 = net.lin1.getDirectParameters().get("bias").getArray().toFloatArray();
            AdaptedModel am = AdaptedModel.inject(net, cfg().init(false).option("router_activation", act).build());
            Map<String, AdapterParam> p = am.trainableParameterMap();
            float[][] xs = Ref.matrix(x.toFloatArray(), 9, 10);
            float[][] h = Ref.relu(Ref.add(Ref.linear(xs, w0, b0), routed(p, "lin0", xs, act), 2.0));
            float[][] y = Ref.add(Ref.linear(h, w1, b1), routed(p, "lin1", h, act), 2.0);
            float[] expected = Ref.flat(Ref.logSoftmax(y));
            float[] got = Toy.run(am.block(), x).toFloatArray();
            assertTrue(Toy.allClose(got, expected, 1e-5, 1e-5), act + " max diff " + Toy.maxDiff(got, expected));
        }
    }

    private static float[][] routed(Map<String, AdapterParam> p, String layer, float[][] xs, String act) {
        float[][] a = Matrices.read(p.get(layer + ".lora_A.default.weight").parameter().getArray());
        float[][] b = Matrices.read(p.get(layer + ".lora_B.default.weight").parameter().getArray());
        float[][] g = Matrices.read(p.get(layer + ".lora_router.default.weight").parameter().getArray());
        float[][] h = Ref.linear(xs, a, null);
        float[][] logits = Ref.linear(xs, g, null);
        float[][] out = new float[xs.length][];
        for (int t = 0; t < xs.length; t++) {
            float[] l = logits[t];
            float[] sorted = l.clone();
            java.util.Arrays.sort(sorted);
            float kth = sorted[l.length - 2];
            double z = 0;
            double max = Math.max(sorted[l.length - 1], kth);
            for (float v : l) {
                z += v >= kth ? Math.exp(v - max) : 0;
            }
            float[] hw = new float[l.length];
            for (int i = 0; i < l.length; i++) {
                double w = l[i] < kth ? 0 : act.equals("softmax") ? Math.exp(l[i] - max) / z : 1 / (1 + Math.exp(-l[i]));
                hw[i] = (float) (h[t][i] * w);
            }
            out[t] = Ref.linear(new float[][] {hw}, b, null)[0];
        }
        return out;
    }

    @Test
    void mergeWithTokenRouterFailsClearlyAndChangesNothing() {
        Toy.Mlp net = mlp();
        ai.djl.nn.Parameter weight = net.lin0.getDirectParameters().get("weight");
        float[] w0 = weight.getArray().toFloatArray();
        AdaptedModel am = AdaptedModel.inject(net, cfg().init(false).build());
        float[] before = Toy.run(am.block(), x).toFloatArray();
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, am::merge);
        assertTrue(e.getMessage().contains("moe") && e.getMessage().contains("router=static"), e.getMessage());
        assertFalse(am.isMerged());
        assertArrayEquals(w0, weight.getArray().toFloatArray());
        assertArrayEquals(before, Toy.run(am.block(), x).toFloatArray());
        assertThrows(UnsupportedOperationException.class, () -> am.merge(true));
    }

    @Test
    void staticRouterMergesAndDisables() {
        VariantChecks.mergeUnmergeDisable(mlp(), x, cfg().init(false).option("router", "static").build(), 1e-4);
        VariantChecks.mergeUnmergeDisable(mlp(), x, cfg().init(false).option("router", "static")
                .option("router_activation", "sigmoid").option("top_k", 4).build(), 1e-4);
    }

    @Test
    void disableGivesBaseWithTokenRouter() {
        Toy.Mlp net = mlp();
        float[] base = Toy.run(net, x).toFloatArray();
        AdaptedModel am = AdaptedModel.inject(net, cfg().init(false).build());
        assertFalse(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), base, 1e-6, 1e-6));
        try (var off = am.disable()) {
            assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), base, 1e-5, 1e-8));
        }
    }

    @Test
    void saveLoadRoundTrip(@TempDir Path dir) throws Exception {
        AdapterConfig c = cfg().init(false).option("router_activation", "sigmoid").build();
        Set<String> names = VariantChecks.saveLoadRoundTrip(mlp(), x, c, dir);
        assertEquals(Set.of("lin0.lora_A.weight", "lin0.lora_B.weight", "lin0.lora_router.weight",
                "lin1.lora_A.weight", "lin1.lora_B.weight", "lin1.lora_router.weight"), names);
        AdapterConfig back = AdapterConfigJson.fromJson(AdapterConfigJson.toJson(c));
        assertEquals("moe", back.variant());
        assertEquals(2, back.optionLong("top_k", 0));
        assertEquals("sigmoid", back.options().get("router_activation"));
    }

    @Test
    void onlyAdapterParamsMove() {
        // B = 0 at init gives A and the router no gradient in step 1; they move from step 2 on
        VariantChecks.onlyAdapterParamsMove(mlp(), x, cfg().build(), 0.5f);
        VariantChecks.onlyAdapterParamsMove(mlp(), x, cfg().option("router", "static").build(), 0.5f);
    }

    /** balance_loss_coef: coef · r · Σ_i f_i · mean(P_i) per layer, returned once per step, with a router gradient. */
    @Test
    void balanceLossValueAndGradient() {
        AdaptedModel am = AdaptedModel.inject(mlp(), cfg().targetModules("lin0").option("top_k", 1)
                .option("balance_loss_coef", 0.1).build());
        assertNull(am.hooks().extraLoss(org.loralab.lora.variant.ParamSource.DIRECT, m), "nothing before a training forward");
        Toy.run(am.block(), x);
        assertNull(am.hooks().extraLoss(org.loralab.lora.variant.ParamSource.DIRECT, m), "eval forwards record nothing");
        ai.djl.nn.Parameter router = am.trainableParameterMap().get("lin0.lora_router.default.weight").parameter();
        float[][] g = Matrices.read(router.getArray());
        float[][] logits = Ref.linear(Ref.matrix(x.toFloatArray(), 9, 10), g, null);
        double[] f = new double[4];
        double[] meanP = new double[4];
        for (float[] l : logits) {
            int best = 0;
            double z = 0;
            for (int i = 0; i < 4; i++) {
                best = l[i] > l[best] ? i : best;
                z += Math.exp(l[i]);
            }
            f[best] += 1.0 / 9;
            for (int i = 0; i < 4; i++) {
                meanP[i] += Math.exp(l[i]) / z / 9;
            }
        }
        double expected = 0;
        for (int i = 0; i < 4; i++) {
            expected += 0.1 * 4 * f[i] * meanP[i];
        }
        try (ai.djl.training.GradientCollector gc = m.getEngine().newGradientCollector()) {
            ai.djl.training.ParameterStore ps = new ai.djl.training.ParameterStore(m, false);
            am.block().forward(ps, new ai.djl.ndarray.NDList(x), true);
            NDArray loss = am.hooks().extraLoss(p -> ps.getValue(p, m.getDevice(), true), m);
            assertEquals(expected, loss.getFloat(), 1e-5);
            gc.backward(loss);
        }
        assertTrue(router.getArray().getGradient().abs().sum().getFloat() > 0, "the balance term trains the router");
        assertNull(am.hooks().extraLoss(org.loralab.lora.variant.ParamSource.DIRECT, m), "consumed once per step");
        AdaptedModel off = AdaptedModel.inject(mlp(), cfg().option("top_k", 1).build());
        try (ai.djl.training.GradientCollector gc = m.getEngine().newGradientCollector()) {
            off.block().forward(new ai.djl.training.ParameterStore(m, false), new ai.djl.ndarray.NDList(x), true);
        }
        assertNull(off.hooks().extraLoss(org.loralab.lora.variant.ParamSource.DIRECT, m), "off by default");
    }

    @Test
    void badOptionsFailClearly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdaptedModel.inject(mlp(), cfg().option("router", "dense").build()));
        assertTrue(e.getMessage().contains("router"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AdaptedModel.inject(mlp(), cfg().option("top_k", 0).build()));
    }
}
