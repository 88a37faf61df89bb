package org.loralab.lora.variant.vera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.variant.AdapterInput;
import org.loralab.lora.variant.BaseLayer;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.ModelScope;
import org.loralab.lora.variant.ParamSource;
import org.loralab.lora.variant.SharedState;
import org.loralab.lora.variant.VariantRegistry;
import org.loralab.lora.variant.lora.init.LinearBaseStub;

/** VeRA on the layers of PEFT's test MLP (lin0 10→20, lin1 20→2), without the injector. */
class VeraTest {
    private static final int R = 4;

    private record Setup(LinearBaseStub lin0, LinearBaseStub lin1, VeraProjections shared, VeraLayer l0, VeraLayer l1) {}

    private static AdapterConfig config(long key, boolean initWeights) {
        return AdapterConfig.builder().variant("vera").r(R).targetModules("lin0", "lin1")
                .option(VeraOptions.PROJECTION_PRNG_KEY, key).option(VeraOptions.D_INITIAL, 0.25)
                .init(initWeights).build();
    }

    private static Setup setup(NDManager m, long key, boolean initWeights) {
        VeraVariant vera = new VeraVariant();
        AdapterConfig config = config(key, initWeights);
        LinearBaseStub lin0 = new LinearBaseStub(m, 10, 20, 1);
        LinearBaseStub lin1 = new LinearBaseStub(m, 20, 2, 2);
        Map<String, BaseLayer> targets = new LinkedHashMap<>();
        targets.put("lin0", lin0);
        targets.put("lin1", lin1);
        SharedState shared = vera.createSharedState(new ModelScope("default", config, targets, new Random(0)));
        VeraLayer l0 = (VeraLayer) vera.createLayer(
                new LayerSpec("lin0", "default", config, lin0, R, 8, new Random(1)), shared);
        VeraLayer l1 = (VeraLayer) vera.createLayer(
                new LayerSpec("lin1", "default", config, lin1, R, 8, new Random(2)), shared);
        return new Setup(lin0, lin1, (VeraProjections) shared, l0, l1);
    }

    private static NDArray input(NDManager m, int in) {
        Random rnd = new Random(5);
        float[] x = new float[7 * in];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return m.create(x, new Shape(7, in));
    }

    private static NDArray adapted(LinearBaseStub base, VeraLayer layer, NDArray x) {
        NDArray y = base.forward(x);
        return y.add(layer.forward(new AdapterInput(x, y, false, ParamSource.DIRECT)));
    }

    @Test
    void registeredAsAVariant() {
        assertEquals("VERA", VariantRegistry.get("vera").peftType());
        assertTrue(VariantRegistry.forConfig(Map.of("peft_type", "VERA")) instanceof VeraVariant);
    }

    @Test
    void projectionsAreSizedByTheLargestLayerAndSlicedPerLayer() {
        try (NDManager m = NDManager.newBaseManager()) {
            Setup s = setup(m, 0, true);
            assertEquals(new Shape(R, 20), s.shared().veraA().getArray().getShape()); // PEFT test: [r, 20]
            assertEquals(new Shape(20, R), s.shared().veraB().getArray().getShape()); // and [20, r]
            assertSame(s.l0().projections(), s.l1().projections());
            assertTrue(s.l0().projections().sharesMemoryWith(s.l1().projections()));
            NDArray a = s.shared().veraA().getArray();
            NDArray b = s.shared().veraB().getArray();
            assertEquals(a.get(new NDIndex(":, :10")), s.l0().sliceA(ParamSource.DIRECT));
            assertEquals(b, s.l0().sliceB(ParamSource.DIRECT));
            assertEquals(a, s.l1().sliceA(ParamSource.DIRECT));
            assertEquals(b.get(new NDIndex(":2, :")), s.l1().sliceB(ParamSource.DIRECT));
            // kaiming-uniform bounds: sqrt(6/in_max) for A, sqrt(6/r) for B
            assertTrue(a.abs().max().getFloat() <= Math.sqrt(6.0 / 20));
            assertTrue(b.abs().max().getFloat() <= Math.sqrt(6.0 / R));
            assertTrue(b.abs().max().getFloat() > Math.sqrt(6.0 / 20), "B uses its own, wider bound");
            assertFalse(s.shared().veraA().getArray().hasGradient() || a.hasGradient(), "projections are frozen");
            assertEquals(2, s.shared().sharedParameters().size());
            assertEquals(VeraProjections.KEY_A, s.shared().sharedParameters().get(0).key());
        }
    }

    @Test
    void theKeyFixesTheProjections() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a0 = setup(m, 7, true).shared().veraA().getArray();
            NDArray a0again = setup(m, 7, true).shared().veraA().getArray();
            NDArray a1 = setup(m, 8, true).shared().veraA().getArray();
            assertArrayEquals(a0.toFloatArray(), a0again.toFloatArray(), 0f);
            assertFalse(a0.contentEquals(a1));
        }
    }

    @Test
    void initStatisticsAndParameterCounts() {
        try (NDManager m = NDManager.newBaseManager()) {
            Setup s = setup(m, 0, true);
            assertEquals(0f, s.l0().lambdaB().getArray().abs().max().getFloat(), 0f);
            for (float v : s.l0().lambdaD().getArray().toFloatArray()) {
                assertEquals(0.25f, v, 0f);
            }
            assertEquals(20 + R, s.l0().trainableCount());
            assertEquals(2 + R, s.l1().trainableCount());
            assertEquals("vera_lambda_b.default", s.l0().parameters().get(0).inMemoryKey("default"));
        }
    }

    @Test
    void noOpAtInitMergeEqualsUnmergedAndUnmergeRestores() {
        try (NDManager m = NDManager.newBaseManager()) {
            Setup s = setup(m, 0, false); // init_weights=false: λ_b = 1, λ_d ~ N(0,1), so ΔW != 0
            NDArray x = input(m, 20);
            NDArray base = s.lin1().forward(x);
            NDArray unmerged = adapted(s.lin1(), s.l1(), x);
            assertTrue(unmerged.sub(base).abs().max().getFloat() > 1e-3, "the adapter changes the output");
            NDArray w = s.lin1().weight().getArray().duplicate();
            s.l1().merge();
            assertTrue(s.lin1().forward(x).sub(unmerged).abs().max().getFloat() < 1e-4, "merge == unmerged");
            s.l1().unmerge();
            assertTrue(s.lin1().weight().getArray().sub(w).abs().max().getFloat() < 1e-5, "unmerge restores W");

            Setup fresh = setup(m, 0, true);
            NDArray x0 = input(m, 10);
            assertEquals(fresh.lin0().forward(x0), adapted(fresh.lin0(), fresh.l0(), x0), "no-op at init (λ_b = 0)");
        }
    }

    @Test
    void deltaWeightIsTheScaledProductOfTheSlices() {
        try (NDManager m = NDManager.newBaseManager()) {
            Setup s = setup(m, 3, false);
            NDArray lb = s.l0().lambdaB().getArray();
            NDArray ld = s.l0().lambdaD().getArray();
            NDArray diagD = m.eye(R).mul(ld);   // (i, j) = δ_ij λ_d[j]
            NDArray diagB = m.eye(20).mul(lb);
            NDArray expected = diagB.matMul(s.l0().sliceB(ParamSource.DIRECT)).matMul(diagD)
                    .matMul(s.l0().sliceA(ParamSource.DIRECT));
            NDArray delta = s.l0().deltaWeight(ParamSource.DIRECT);
            assertTrue(delta.sub(expected).abs().max().getFloat() < 1e-5);
        }
    }

    @Test
    void configKeysRoundTripAndBadOptionsAreRejected() {
        VeraVariant vera = new VeraVariant();
        Map<String, Object> json = new LinkedHashMap<>();
        AdapterConfig config = config(42, true);
        vera.writeConfig(config, json);
        assertEquals(42L, json.get("projection_prng_key"));
        assertEquals(Boolean.TRUE, json.get("save_projection"));
        AdapterConfig.Builder b = AdapterConfig.builder().r(R).targetModules("lin0");
        vera.readConfig(json, b);
        VeraOptions read = VeraOptions.of(b.build());
        assertEquals(42L, read.projectionPrngKey());
        assertEquals(0.25, read.dInitial(), 0.0);
        assertTrue(read.initWeights());
        assertThrows(IllegalArgumentException.class,
                () -> vera.validate(config.toBuilder().rankPattern("lin0", 2).build()));
    }

    @Test
    void aLayerLargerThanTheProjectionsIsRejected() {
        try (NDManager m = NDManager.newBaseManager()) {
            Setup s = setup(m, 0, true);
            LinearBaseStub big = new LinearBaseStub(m, 30, 2, 9);
            AdapterConfig config = config(0, true);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new VeraVariant()
                    .createLayer(new LayerSpec("big", "default", config, big, R, 8, new Random(0)), s.shared()));
            assertTrue(e.getMessage().contains("'big'"), e.getMessage());
        }
    }
}
