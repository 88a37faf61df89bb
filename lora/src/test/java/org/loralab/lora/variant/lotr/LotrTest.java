package org.loralab.lora.variant.lotr;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
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

/** LoTR (spec §18): shared factors across layers, per-layer cores, and the unmaterialised Tucker-2 conv. */
class LotrTest {
    private NDManager m;
    private NDArray x;

    /** l0, l1, l2: Linear(8→8) with relu, then head Linear(2). */
    static final class Stack extends AbstractBlock {
        final Block[] layers = new Block[3];
        final Block head;

        Stack() {
            for (int i = 0; i < 3; i++) {
                layers[i] = addChildBlock("l" + i, Linear.builder().setUnits(8).build());
            }
            head = addChildBlock("head", Linear.builder().setUnits(2).build());
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
            NDList h = in;
            for (Block b : layers) {
                h = new NDList(Activation.relu(b.forward(ps, h, training, params).head()));
            }
            return head.forward(ps, h, training, params);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] in) {
            return new Shape[] {new Shape(in[0].get(0), 2)};
        }

        @Override
        protected void initializeChildBlocks(NDManager mm, DataType t, Shape... in) {
            for (Block b : layers) {
                b.initialize(mm, t, in);
            }
            head.initialize(mm, t, in);
        }
    }

    @BeforeEach
    void setUp() {
        m = NDManager.newBaseManager();
        x = m.arange(32f).reshape(4, 8).div(32f).sub(0.5f);
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    private Stack stack() {
        return Toy.init(new Stack(), m, new Shape(4, 8));
    }

    private static AdapterConfig.Builder cfg() {
        return AdapterConfig.builder().variant("lotr").r(2).targetModules("l0", "l1", "l2").option("scale", 0.5).seed(0);
    }

    @Test
    void sharedFactorsAndExactCount() {
        AdaptedModel am = AdaptedModel.inject(stack(), cfg().build());
        assertEquals(2 * (8 + 8) + 3 * 2 * 2, am.trainableParameters());
        Map<String, AdapterParam> t = am.trainableParameterMap();
        assertEquals(Set.of("l0.lotr_mid.default", "l1.lotr_mid.default", "l2.lotr_mid.default",
                "base_model.lotr_lhs_8x8.default", "base_model.lotr_rhs_8x8.default"), t.keySet());
        // Mlp: lin0 20x10 and lin1 2x20 are two groups
        AdaptedModel two = AdaptedModel.inject(Toy.init(new Toy.Mlp(), m, new Shape(9, 10)),
                AdapterConfig.builder().variant("lotr").r(3).targetModules("lin0", "lin1").build());
        assertEquals(3 * (10 + 20) + 3 * (20 + 2) + 2 * 9, two.trainableParameters());
    }

    @Test
    void deltaIsSharedTuckerProduct() {
        AdaptedModel am = AdaptedModel.inject(stack(), cfg().init(false).build());
        Map<String, AdapterParam> t = am.trainableParameterMap();
        float[][] lhs = Matrices.read(t.get("base_model.lotr_lhs_8x8.default").parameter().getArray());
        float[][] rhs = Matrices.read(t.get("base_model.lotr_rhs_8x8.default").parameter().getArray());
        for (int l = 0; l < 3; l++) {
            float[][] mid = Matrices.read(t.get("l" + l + ".lotr_mid.default").parameter().getArray());
            // ΔW^T = rhs · mid · lhs
            float[][] dt = Ref.matmul(Ref.matmul(rhs, mid), lhs);
            float[][] d = am.deltaWeight("l" + l, "default");
            for (int o = 0; o < 8; o++) {
                for (int i = 0; i < 8; i++) {
                    assertEquals(0.5 * dt[i][o], d[o][i], 1e-4);
                }
            }
        }
    }

    @Test
    void noOpMergeDisableLinear() {
        VariantChecks.noOpAtInit(stack(), x, cfg().build());
        VariantChecks.mergeUnmergeDisable(stack(), x, cfg().init(false).build(), 1e-4);
    }

    @Test
    void saveLoadRoundTripWithSharedTensors(@TempDir Path dir) throws Exception {
        AdapterConfig c = cfg().init(false).build();
        Set<String> names = VariantChecks.saveLoadRoundTrip(stack(), x, c, dir);
        assertEquals(Set.of("base_model.lotr_lhs_8x8", "base_model.lotr_rhs_8x8", "l0.lotr_mid", "l1.lotr_mid",
                "l2.lotr_mid"), names);
        AdapterConfig back = AdapterConfigJson.fromJson(AdapterConfigJson.toJson(c));
        assertEquals("lotr", back.variant());
        assertEquals(0.5, back.optionDouble("scale", 1));
    }

    @Test
    void onlyAdapterParamsMoveIncludingSharedFactors() {
        VariantChecks.onlyAdapterParamsMove(stack(), x, cfg().build(), 0.05f);
        VariantChecks.onlyAdapterParamsMove(ConvToy.conv2d(m, 3, 4, 3, 1, 1, 1), ConvToy.input2d(m, 3),
                cfg().targetModules("conv").build(), 0.01f);
    }

    @Test
    void tuckerConvNoOpMergeAndCount() {
        NDArray xc = ConvToy.input2d(m, 3);
        AdaptedModel am = VariantChecks.noOpAtInit(ConvToy.conv2d(m, 3, 4, 3, 1, 1, 1), xc, cfg().targetModules("conv").build());
        assertEquals(2 * (3 + 4) + 2 * 2 * 9, am.trainableParameters());
        VariantChecks.mergeUnmergeDisable(ConvToy.conv2d(m, 3, 4, 3, 2, 1, 1), xc,
                cfg().targetModules("conv").init(false).build(), 1e-4);
        // groups=2: one Tucker-2 product per group, r(in + out) + g·r²·kh·kw (TuckerConvKindsTest has the matrix)
        assertEquals(2 * (4 + 4) + 2 * 2 * 2 * 9, AdaptedModel.inject(ConvToy.conv2d(m, 4, 4, 3, 1, 1, 2),
                cfg().targetModules("conv").build()).trainableParameters());
    }

    /** The three-conv forward equals the conv of the materialised ΔW, with stride, padding and dilation. */
    @Test
    void unmaterialisedConvEqualsMaterialisedDeltaConv() {
        for (int[] sp : new int[][] {{1, 0, 1}, {2, 1, 1}, {1, 2, 2}}) {
            ConvToy net = ConvToy.conv2d(m, 3, 5, 3, sp[0], sp[1], 1, sp[2]);
            NDArray xc = ConvToy.input2d(m, 3);
            NDArray w = net.conv.getParameters().get("weight").getArray().duplicate();
            NDArray b = net.conv.getParameters().get("bias").getArray().duplicate();
            NDArray lw = net.lin.getParameters().get("weight").getArray().duplicate();
            NDArray lb = net.lin.getParameters().get("bias").getArray().duplicate();
            AdaptedModel am = AdaptedModel.inject(net, cfg().r(2).targetModules("conv").init(false).build());
            float[] got = Toy.run(am.block(), xc).toFloatArray();
            float[][] d = am.deltaWeight("conv", "default");
            NDArray delta = m.create(Ref.flat(d), w.getShape());
            Shape s = new Shape(sp[0], sp[0]);
            Shape p = new Shape(sp[1], sp[1]);
            Shape dil = new Shape(sp[2], sp[2]);
            NDArray h = Conv2d.conv2d(xc, w, b, s, p, dil, 1).head().add(Conv2d.conv2d(xc, delta, null, s, p, dil, 1).head());
            NDArray y = Linear.linear(h.reshape(2, -1), lw, lb).head();
            float[] expected = y.toFloatArray();
            assertTrue(Toy.allClose(got, expected, 1e-4, 1e-4), "stride/pad/dil " + java.util.Arrays.toString(sp)
                    + " max diff " + Toy.maxDiff(got, expected));
            float[] base = Linear.linear(Conv2d.conv2d(xc, w, b, s, p, dil, 1).head().reshape(2, -1), lw, lb).head().toFloatArray();
            assertFalse(Toy.allClose(got, base, 1e-5, 1e-5), "the update must be non-zero for this check");
        }
    }

    @Test
    void rankPatternRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdaptedModel.inject(stack(), cfg().rankPattern("l0", 4).build()));
        assertTrue(e.getMessage().contains("rank_pattern"), e.getMessage());
    }
}
