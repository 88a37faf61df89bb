package org.loralab.lora.variant.lora.init;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.variant.AdapterInput;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.ParamSource;
import org.loralab.lora.variant.lora.LoraInits;
import org.loralab.lora.variant.lora.LoraLayer;

/** PiSSA / OLoRA through core's LoraLayer and the LoraInitializer service registration. */
class MutatingInitLayerTest {
    private static final int IN = 32;
    private static final int OUT = 20;
    private static final int R = 4;

    private static LayerSpec spec(LinearBaseStub base, String init, boolean rslora) {
        AdapterConfig config = AdapterConfig.builder().r(R).alpha(8).targetModules("dense").init(init)
                .useRslora(rslora).seed(3).build();
        return new LayerSpec("dense", "default", config, base, R, 8, new Random(3));
    }

    private static NDArray input(NDManager m) {
        Random rnd = new Random(9);
        float[] x = new float[6 * IN];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return m.create(x, new Shape(6, IN));
    }

    private static float maxAbsDiff(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }

    @Test
    void initializersAreRegisteredAsServices() {
        assertTrue(LoraInits.families().contains("pissa"));
        assertTrue(LoraInits.families().contains("olora"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pissa", "pissa_niter_4", "OLoRA"})
    void noOpAtInitMergeEqualsUnmergedAndResidualPlusDeltaIsW(String init) {
        try (NDManager m = NDManager.newBaseManager()) {
            LinearBaseStub base = new LinearBaseStub(m, IN, OUT, 1);
            NDArray x = input(m);
            NDArray w0 = base.weight().getArray().duplicate();
            NDArray expected = base.forward(x);
            LoraLayer layer = LoraLayer.create(spec(base, init, false));
            assertFalse(base.weight().getArray().contentEquals(w0), "the residual replaced W");

            NDArray baseOut = base.forward(x);
            NDArray adapted = baseOut.add(layer.forward(new AdapterInput(x, baseOut, false, ParamSource.DIRECT)));
            assertTrue(maxAbsDiff(adapted, expected) < 1e-5, init + " no-op at init: " + maxAbsDiff(adapted, expected));

            NDArray effective = base.weight().getArray().add(layer.deltaWeight(ParamSource.DIRECT));
            assertTrue(maxAbsDiff(effective, w0) < 1e-4, "W_res + s·B·A == W");

            assertEquals((long) R * (IN + OUT), layer.trainableCount());

            // train-like change, then merge == unmerged and unmerge restores W_res
            layer.loraB().getArray().muli(2);
            NDArray wRes = base.weight().getArray().duplicate();
            NDArray baseOut2 = base.forward(x);
            NDArray unmerged = baseOut2.add(layer.forward(new AdapterInput(x, baseOut2, false, ParamSource.DIRECT)));
            layer.merge();
            assertTrue(maxAbsDiff(base.forward(x), unmerged) < 1e-4, "merge == unmerged");
            layer.unmerge();
            assertTrue(maxAbsDiff(base.weight().getArray(), wRes) < 1e-5, "unmerge restores W_res");
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void convertedAdapterOnTheOriginalWeightsReproducesTheTrainedModel(boolean rslora) {
        try (NDManager m = NDManager.newBaseManager()) {
            LinearBaseStub base = new LinearBaseStub(m, IN, OUT, 2);
            float[][] wOriginal = base.weightMatrix();
            LayerSpec spec = spec(base, "pissa", rslora);
            LoraLayer layer = LoraLayer.create(spec);
            float[][] a0 = org.loralab.lora.variant.lora.Matrices.read(layer.loraA().getArray());
            float[][] b0 = org.loralab.lora.variant.lora.Matrices.read(layer.loraB().getArray());
            layer.loraB().getArray().muli(2); // "training" (PEFT's conversion test does B *= 2)
            layer.loraA().getArray().addi(0.01f);
            NDArray trained = base.weight().getArray().add(layer.deltaWeight(ParamSource.DIRECT));

            ConvertToLora.Factors f = ConvertToLora.factors(
                    org.loralab.lora.variant.lora.Matrices.read(layer.loraA().getArray()),
                    org.loralab.lora.variant.lora.Matrices.read(layer.loraB().getArray()), a0, b0);
            AdapterConfig converted = ConvertToLora.config(spec.config());
            assertEquals(2 * R, converted.r());
            assertEquals("true", converted.init().name());
            double s2 = AdapterConfig.scaling(converted.alpha(), converted.r(), rslora);
            assertEquals(spec.scaling(), s2, 1e-12, "scaling is unchanged by the conversion");

            NDArray w = m.create(flatten(wOriginal), new Shape(OUT, IN));
            NDArray a2 = m.create(flatten(f.a()), new Shape(2 * R, IN));
            NDArray b2 = m.create(flatten(f.b()), new Shape(OUT, 2 * R));
            NDArray convertedW = w.add(b2.matMul(a2).mul(s2));
            assertTrue(maxAbsDiff(convertedW, trained) < 1e-4, "W + s'B'A' == W_res + s·B·A");
        }
    }

    @Test
    void conversionConfigDoublesPatternsAndRejectsRsloraWithPatterns() {
        AdapterConfig c = AdapterConfig.builder().r(8).alpha(16).targetModules("q").init("olora")
                .rankPattern("q", 4).alphaPattern("q", 3.0).build();
        AdapterConfig converted = ConvertToLora.config(c);
        assertEquals(16, converted.r());
        assertEquals(32.0, converted.alpha(), 0.0);
        assertEquals(8, converted.rankPattern().get("q"));
        assertEquals(6.0, converted.alphaPattern().get("q"), 0.0);
        assertThrows(IllegalArgumentException.class,
                () -> ConvertToLora.config(c.toBuilder().useRslora(true).build()));
    }

    private static float[] flatten(float[][] m) {
        float[] out = new float[m.length * m[0].length];
        for (int i = 0; i < m.length; i++) {
            System.arraycopy(m[i], 0, out, i * m[0].length, m[0].length);
        }
        return out;
    }
}
