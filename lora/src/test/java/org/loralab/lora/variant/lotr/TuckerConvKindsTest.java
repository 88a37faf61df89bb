package org.loralab.lora.variant.lotr;

import org.loralab.lora.testing.ManagedTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.testing.Toy;
import org.loralab.lora.variant.AdapterInput;
import org.loralab.lora.variant.BaseLayer;
import org.loralab.lora.variant.LayerAdapter;
import org.loralab.lora.variant.ParamSource;
import org.loralab.lora.variant.lycoris.Tucker;
import org.loralab.lora.variant.lycoris.VariantChecks;

/**
 * LoTR's Tucker-2 conv update (spec §18) on Conv1d, Conv3d and grouped convs of every kind (Conv2d
 * ungrouped is in LotrTest): no-op at init, exact parameter count, ΔW in the base weight's shape,
 * unmaterialised forward == conv with the materialised ΔW, merge == unmerged, unmerge restores W,
 * disable == base, per-group products, save/load, only adapter tensors train.
 */
class TuckerConvKindsTest extends ManagedTest {
    private static final int R = 2;

    /** {dims, in, out, k, stride, padding, dilation, groups}. */
    private static final int[][] CASES = {
        {1, 4, 6, 3, 1, 1, 1, 1},
        {1, 4, 6, 3, 2, 2, 2, 2},
        {1, 6, 6, 3, 1, 1, 1, 6},
        {2, 4, 6, 3, 2, 1, 1, 2},
        {2, 4, 4, 3, 1, 2, 2, 4},
        {3, 3, 4, 2, 1, 0, 1, 1},
        {3, 4, 6, 3, 2, 1, 1, 2},
        {3, 4, 8, 2, 1, 1, 2, 4},
    };


    private ConvKindToy toy(int[] c) {
        return ConvKindToy.create(m, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]);
    }

    private static AdapterConfig.Builder cfg() {
        return AdapterConfig.builder().variant("lotr").r(R).targetModules("conv").option("scale", 0.5).seed(3);
    }

    private static String name(int[] c) {
        return "conv" + c[0] + "d " + Arrays.toString(c);
    }

    @Test
    void noOpAtInitAndExactCount() {
        for (int[] c : CASES) {
            ConvKindToy t = toy(c);
            AdaptedModel am = VariantChecks.noOpAtInit(t, t.input(m), cfg().build());
            long k = (long) Math.pow(c[3], c[0]);
            assertEquals(R * (c[1] + c[2]) + (long) c[7] * R * R * k, am.trainableParameters(), name(c));
        }
    }

    @Test
    void mergeUnmergeDisable() {
        for (int[] c : CASES) {
            ConvKindToy t = toy(c);
            VariantChecks.mergeUnmergeDisable(t, t.input(m), cfg().init(false).build(), 1e-4);
        }
    }

    /** The three-stage forward equals the base op with ΔW, for every kind, stride, padding, dilation, groups. */
    @Test
    void unmaterialisedEqualsConvWithDelta() {
        for (int[] c : CASES) {
            ConvKindToy t = toy(c);
            NDArray x = t.input(m);
            AdaptedModel am = AdaptedModel.inject(t, cfg().init(false).build());
            LayerAdapter layer = am.layerAdapter("conv", "default");
            BaseLayer base = layer.base();
            NDArray delta = layer.deltaWeight(ParamSource.DIRECT);
            assertEquals(base.weightShape(), delta.getShape(), name(c) + ": ΔW has the base weight's shape");
            NDArray got = layer.forward(new AdapterInput(x, null, false, ParamSource.DIRECT));
            NDArray expected = base.apply(x, delta, null);
            float[] g = got.toFloatArray();
            float[] e = expected.toFloatArray();
            assertEquals(expected.getShape(), got.getShape(), name(c));
            assertTrue(Toy.allClose(g, e, 1e-4, 1e-5), name(c) + " max diff " + Toy.maxDiff(g, e));
            assertFalse(Toy.allClose(e, new float[e.length], 0, 1e-6), name(c) + ": the update must be non-zero");
        }
    }

    /** Group q's block of ΔW is the ungrouped Tucker-2 product of group q's factors and core. */
    @Test
    void groupedDeltaIsOneTuckerProductPerGroup() {
        for (int[] c : CASES) {
            int g = c[7];
            long kk = (long) Math.pow(c[3], c[0]);
            NDArray core = m.randomNormal(new Shape((long) g * R, R).addAll(ConvKindToy.cube(c[0], c[3])));
            NDArray out = m.randomNormal(new Shape(c[2], R));
            NDArray in = m.randomNormal(new Shape((long) g * R, c[1] / g));
            NDArray got = Tucker.groupedKernel(core, out, in, g);
            List<NDArray> blocks = new ArrayList<>();
            int og = c[2] / g;
            for (int q = 0; q < g; q++) {
                blocks.add(Tucker.kernel(core.get(new NDIndex(q * R + ":" + (q + 1) * R)),
                        out.get(new NDIndex(q * og + ":" + (q + 1) * og)).transpose(),
                        in.get(new NDIndex(q * R + ":" + (q + 1) * R))));
            }
            NDArray expected = NDArrays.concat(new ai.djl.ndarray.NDList(blocks), 0);
            assertEquals(new Shape(c[2], c[1] / g).addAll(ConvKindToy.cube(c[0], c[3])), got.getShape(), name(c));
            assertTrue(Toy.allClose(got.toFloatArray(), expected.toFloatArray(), 1e-5, 1e-5), name(c));
            assertEquals(c[2] * (c[1] / g) * kk, got.size());
        }
    }

    /**
     * Batch gradients of every adapter tensor equal the sum of per-sample gradients: a regression test for
     * the engine's conv input-gradient bug (EngineConvCheck), which made tucker_in's gradient wrong or NaN
     * while U_in ran as its own stage. (The gradient with respect to x itself is the engine's and is not
     * checked here.)
     */
    @Test
    void batchGradientsEqualPerSampleSums() {
        for (int[] c : CASES) {
            ConvKindToy t = toy(c);
            NDArray x = t.input(m);
            AdaptedModel am = AdaptedModel.inject(t, cfg().init(false).build());
            LayerAdapter layer = am.layerAdapter("conv", "default");
            NDArray up = m.randomNormal(layer.base().apply(x, layer.base().weight().getArray(), null).getShape());
            backward(layer, x, up);
            List<float[]> batch = new ArrayList<>();
            for (var p : layer.parameters()) {
                NDArray g = p.parameter().getArray().getGradient();
                batch.add(g.toFloatArray());
                g.set(new NDIndex(":"), 0f);
            }
            for (int n = 0; n < 2; n++) {
                NDIndex i = new NDIndex(n + ":" + (n + 1));
                backward(layer, x.get(i), up.get(i));
            }
            for (int j = 0; j < batch.size(); j++) {
                float[] sum = layer.parameters().get(j).parameter().getArray().getGradient().toFloatArray();
                assertTrue(Toy.allClose(batch.get(j), sum, 1e-4, 1e-4), name(c) + " " + layer.parameters().get(j).key()
                        + " max diff " + Toy.maxDiff(batch.get(j), sum));
            }
        }
    }

    private static void backward(LayerAdapter layer, NDArray x, NDArray up) {
        try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
            gc.backward(layer.forward(new AdapterInput(x, null, true, ParamSource.DIRECT)).mul(up).sum());
        }
    }

    @Test
    void saveLoadRoundTrip(@TempDir Path dir) throws Exception {
        for (int i : new int[] {1, 6}) {
            ConvKindToy t = toy(CASES[i]);
            Set<String> names = VariantChecks.saveLoadRoundTrip(t, t.input(m), cfg().init(false).build(),
                    dir.resolve("case" + i));
            assertEquals(Set.of("conv.tucker_in", "conv.tucker_core", "conv.tucker_out"), names);
        }
    }

    @Test
    void onlyAdapterParamsMove() {
        for (int i : new int[] {1, 4, 6}) {
            ConvKindToy t = toy(CASES[i]);
            VariantChecks.onlyAdapterParamsMove(t, t.input(m), cfg().build(), 0.01f);
        }
    }
}
