package org.loralab.lora.variant.dora;

import org.loralab.lora.testing.ManagedTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.testing.Fixture;
import org.loralab.lora.testing.FixtureBaseLayer;
import org.loralab.lora.variant.AdapterInput;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.BaseLayer;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.ParamRole;
import org.loralab.lora.variant.ParamSource;

/** DoRA on one layer against the reference fixtures (spec §5), without the injector. */
class DoraLayerTest extends ManagedTest {

    private static final double PARITY = 1e-5;
    private static final double MERGE = 1e-4;


    private static DoraLayer dora(BaseLayer base, Fixture f, String init, double dropout) {
        AdapterConfig c = AdapterConfig.builder().useDora(true).r(f.intParam("r")).alpha(f.param("alpha"))
                .targetModules("x").init(init).dropout(dropout).build();
        return DoraLayer.create(new LayerSpec("x", "default", c, base, f.intParam("r"), f.param("alpha"),
                new Random(0)));
    }

    /** Builds the layer, then loads A, B and m from the fixture. */
    private DoraLayer loaded(BaseLayer base, Fixture f, String a, String b, double dropout) {
        DoraLayer d = dora(base, f, "true", dropout);
        d.loraA().getArray().set(f.floats(a));
        d.loraB().getArray().set(f.floats(b));
        d.magnitude().getArray().set(f.floats("magnitude"));
        return d;
    }

    /** The base layer alone (what PEFT's no-op test compares with: same dtype, same ops). */
    private static NDArray baseOnly(DoraLayer d, NDArray x) {
        return d.base().apply(x, d.base().weight().getArray(),
                d.base().bias() == null ? null : d.base().bias().getArray());
    }

    private NDArray output(DoraLayer d, NDArray x, boolean training) {
        NDArray base = baseOnly(d, x);
        return base.add(d.forward(new AdapterInput(x, base, training, ParamSource.DIRECT)));
    }

    // ------------------------------------------------------------------ Linear

    private DoraLayer linear(Fixture f, double dropout) {
        return loaded(FixtureBaseLayer.linear(f.array(m, "weight"), f.array(m, "bias")), f, "lora_A", "lora_B",
                dropout);
    }

    @Test
    void linearForwardMatchesReference() {
        Fixture f = Fixture.load("dora_linear");
        DoraLayer d = linear(f, 0);
        Fixture.assertClose(f.array(m, "y"), output(d, f.array(m, "x"), false), PARITY, "y");
    }

    @Test
    void linearTrainingWithDropoutUsesTheDroppedInputForBothTerms() {
        Fixture f = Fixture.load("dora_linear");
        DoraLayer d = linear(f, f.param("dropout"));
        NDArray x = f.array(m, "x");
        NDArray base = d.base().apply(x, d.base().weight().getArray(), d.base().bias().getArray());
        AdapterInput in = new AdapterInput(x, base, true, ParamSource.DIRECT);
        NDArray y = base.add(d.forwardWithDropped(in, f.array(m, "x_dropped")));
        Fixture.assertClose(f.array(m, "y_train"), y, PARITY, "y_train");
        // eval mode ignores dropout
        Fixture.assertClose(f.array(m, "y"), output(d, x, false), PARITY, "y (eval)");
    }

    @Test
    void gradientsSkipTheDetachedNorm() {
        Fixture f = Fixture.load("dora_linear");
        DoraLayer d = linear(f, 0);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y = output(d, f.array(m, "x"), true);
            gc.backward(y.mul(f.array(m, "upstream")).sum());
        }
        Fixture.assertClose(f.array(m, "grad_lora_A"), d.loraA().getArray().getGradient(), PARITY, "dA");
        Fixture.assertClose(f.array(m, "grad_lora_B"), d.loraB().getArray().getGradient(), PARITY, "dB");
        Fixture.assertClose(f.array(m, "grad_magnitude"), d.magnitude().getArray().getGradient(), PARITY, "dm");
    }

    @Test
    void linearMergeEqualsUnmergedAndUnmergeRestoresW() {
        Fixture f = Fixture.load("dora_linear");
        DoraLayer d = linear(f, 0);
        NDArray x = f.array(m, "x");
        NDArray w0 = d.base().weight().getArray().duplicate();
        NDArray unmerged = output(d, x, false);
        d.merge();
        Fixture.assertClose(f.array(m, "merged_w"), d.base().weight().getArray(), PARITY, "merged W");
        NDArray merged = baseOnly(d, x);
        Fixture.assertClose(unmerged, merged, MERGE, "merged output");
        d.unmerge();
        Fixture.assertClose(w0, d.base().weight().getArray(), MERGE, "W after unmerge");
        assertThrows(IllegalStateException.class, d::unmerge);
    }

    @Test
    void effectiveWeightIsTheMergedWeight() {
        Fixture f = Fixture.load("dora_linear");
        DoraLayer d = linear(f, 0);
        Fixture.assertClose(f.array(m, "merged_w"),
                d.effectiveWeight(d.base().weight().getArray(), ParamSource.DIRECT), PARITY, "W'");
    }

    @Test
    void defaultInitIsANoOpAndMagnitudeIsTheRowNorm() {
        Fixture f = Fixture.load("dora_linear");
        NDArray w = f.array(m, "weight");
        DoraLayer d = dora(FixtureBaseLayer.linear(w, f.array(m, "bias")), f, "true", 0);
        assertEquals(0f, d.loraB().getArray().abs().max().getFloat(), 0f, "B is exactly zero");
        Fixture.assertClose(w.norm(new int[] {1}), d.magnitude().getArray(), 1e-6, 0, "m = ||W||_row");
        NDArray x = f.array(m, "x");
        Fixture.assertClose(baseOnly(d, x), output(d, x, false), 1e-8, 1e-5, "no-op at init");
    }

    @Test
    void magnitudeWithoutZeroInitIsNormOfWPlusDelta() {
        Fixture f = Fixture.load("dora_linear");
        NDArray w = f.array(m, "weight");
        DoraLayer d = dora(FixtureBaseLayer.linear(w, f.array(m, "bias")), f, "false", 0);
        NDArray delta = d.loraB().getArray().matMul(d.loraA().getArray()).mul((float) f.param("scaling"));
        assertTrue(delta.abs().max().getFloat() > 1e-3f, "init false gives a non-zero delta");
        Fixture.assertClose(w.add(delta).norm(new int[] {1}), d.magnitude().getArray(), 1e-6, 1e-6, "m");
    }

    @Test
    void parametersAndCounts() {
        Fixture f = Fixture.load("dora_linear");
        DoraLayer d = linear(f, 0);
        List<AdapterParam> ps = d.parameters();
        assertEquals(List.of("lora_A.weight", "lora_B.weight", "lora_magnitude_vector"),
                ps.stream().map(AdapterParam::key).toList());
        assertEquals(ParamRole.MAGNITUDE, ps.get(2).role());
        assertEquals("lora_magnitude_vector.default.weight", ps.get(2).inMemoryKey("default"));
        Shape w = d.base().weightShape();
        assertEquals(f.intParam("r") * (w.get(0) + w.get(1)) + w.get(0), d.trainableCount());
        assertEquals("dora", d.variant());
    }

    // ------------------------------------------------------------------ Conv2d

    @Test
    void conv2dForwardMergeUnmerge() {
        Fixture f = Fixture.load("dora_conv2d");
        BaseLayer base = FixtureBaseLayer.conv2d(f.array(m, "weight"), f.array(m, "bias"), f.intParam("stride"),
                f.intParam("padding"));
        DoraLayer d = loaded(base, f, "lora_A", "lora_B", 0);
        assertEquals(new Shape(1, 4, 1, 1), d.magnitude().getArray().getShape());
        NDArray x = f.array(m, "x");
        NDArray y = output(d, x, false);
        Fixture.assertClose(f.array(m, "y"), y, PARITY, "y");
        NDArray w0 = base.weight().getArray().duplicate();
        d.merge();
        Fixture.assertClose(f.array(m, "merged_w"), base.weight().getArray(), PARITY, "merged W");
        Fixture.assertClose(y, base.apply(x, base.weight().getArray(), base.bias().getArray()), MERGE, "merged y");
        d.unmerge();
        Fixture.assertClose(w0, base.weight().getArray(), MERGE, "W after unmerge");
        Shape ws = base.weightShape();
        assertEquals(2L * (ws.get(1) * ws.get(2) * ws.get(3)) + ws.get(0) * 2 + ws.get(0), d.trainableCount());
    }

    @Test
    void conv2dDefaultInitIsANoOp() {
        Fixture f = Fixture.load("dora_conv2d");
        NDArray w = f.array(m, "weight");
        DoraLayer d = dora(FixtureBaseLayer.conv2d(w, f.array(m, "bias"), 1, 1), f, "true", 0);
        NDArray x = f.array(m, "x");
        Fixture.assertClose(baseOnly(d, x), output(d, x, false), 1e-8, 1e-5, "no-op");
        Fixture.assertClose(w.norm(new int[] {1, 2, 3}).reshape(1, 4, 1, 1), d.magnitude().getArray(), 1e-6, 0,
                "m = per-channel norm");
    }

    // ------------------------------------------------------------------ Embedding

    @Test
    void embeddingForwardMergeUnmerge() {
        Fixture f = Fixture.load("dora_embedding");
        BaseLayer base = FixtureBaseLayer.embedding(f.array(m, "weight"));
        DoraLayer d = loaded(base, f, "lora_embedding_A", "lora_embedding_B", 0.5);
        NDArray idx = f.array(m, "indices");
        NDArray y = output(d, idx, true); // no dropout on embeddings, even when training
        Fixture.assertClose(f.array(m, "y"), y, PARITY, "y");
        NDArray w0 = base.weight().getArray().duplicate();
        d.merge();
        Fixture.assertClose(f.array(m, "merged_w"), base.weight().getArray(), PARITY, "merged W");
        Fixture.assertClose(y, base.apply(idx, base.weight().getArray(), null), MERGE, "merged y");
        d.unmerge();
        Fixture.assertClose(w0, base.weight().getArray(), MERGE, "W after unmerge");
        assertEquals(List.of("lora_embedding_A", "lora_embedding_B", "lora_magnitude_vector"),
                d.parameters().stream().map(AdapterParam::key).toList());
    }

    @Test
    void embeddingDefaultInitIsANoOp() {
        Fixture f = Fixture.load("dora_embedding");
        NDArray w = f.array(m, "weight");
        DoraLayer d = dora(FixtureBaseLayer.embedding(w), f, "true", 0);
        assertEquals(0f, d.loraA().getArray().abs().max().getFloat(), 0f, "embedding A is exactly zero");
        Fixture.assertClose(w.norm(new int[] {0}), d.magnitude().getArray(), 1e-6, 0, "m = column norm");
        NDArray idx = f.array(m, "indices");
        Fixture.assertClose(baseOnly(d, idx), output(d, idx, false), 1e-8, 1e-5, "no-op");
    }

    // ------------------------------------------------------------------ rejected settings

    @Test
    void loraBiasIsRejected() {
        Fixture f = Fixture.load("dora_linear");
        AdapterConfig c = AdapterConfig.builder().useDora(true).r(2).alpha(2).targetModules("x").loraBias(true)
                .build();
        BaseLayer base = FixtureBaseLayer.linear(f.array(m, "weight"), f.array(m, "bias"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DoraLayer.create(new LayerSpec("x", "default", c, base, 2, 2, new Random(0))));
        assertTrue(e.getMessage().contains("lora_bias"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DoraVariant().validate(c));
    }
}
