package org.loralab.lora.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.variant.AdapterInput;
import org.loralab.lora.variant.BaseLayer;
import org.loralab.lora.variant.LayerAdapter;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.ParamSource;
import org.loralab.lora.variant.SharedState;
import org.loralab.lora.variant.VariantRegistry;
import org.loralab.lora.variant.lora.LoraLayer;

/**
 * The "lora" variant against the reference fixtures of tools/fixtures/make_fixtures.py: forward, ΔW, merge
 * and scaling for Linear, rsLoRA Linear, Conv2d (k3, stride 2, padding 1) and Embedding (spec §2, §3).
 */
class LoraFixtureParityTest extends ManagedTest {

    private static final double TOL = 1e-5;

    private LoraLayer lora(Fixture f, BaseLayer base, String a, String b) {
        AdapterConfig c = AdapterConfig.builder().r(f.intParam("r")).alpha(f.param("alpha"))
                .useRslora(f.hasParam("use_rslora") && f.boolParam("use_rslora")).targetModules("x").build();
        LayerAdapter layer = VariantRegistry.get("lora").createLayer(
                new LayerSpec("x", "default", c, base, f.intParam("r"), f.param("alpha"), new Random(0)),
                SharedState.NONE);
        LoraLayer l = (LoraLayer) layer;
        l.loraA().getArray().set(f.floats(a));
        l.loraB().getArray().set(f.floats(b));
        assertEquals(f.param("scaling"), l.scaling(), 0.0, "scaling exactly");
        return l;
    }

    private void check(Fixture f, LoraLayer l, NDArray x) {
        BaseLayer base = l.base();
        NDArray bias = base.bias() == null ? null : base.bias().getArray();
        NDArray y0 = base.apply(x, base.weight().getArray(), bias);
        Fixture.assertClose(f.array(m, "y"), y0.add(l.forward(new AdapterInput(x, y0, false, ParamSource.DIRECT))),
                TOL, f.name() + " y");
        Fixture.assertClose(f.array(m, "delta_w"), l.deltaWeight(ParamSource.DIRECT), TOL, f.name() + " delta_w");
        l.merge();
        Fixture.assertClose(f.array(m, "merged_w"), base.weight().getArray(), TOL, f.name() + " merged W");
        Fixture.assertClose(f.array(m, "y"), base.apply(x, base.weight().getArray(), bias), 1e-4,
                f.name() + " merged y");
    }

    @Test
    void linear() {
        Fixture f = Fixture.load("lora_linear");
        check(f, lora(f, FixtureBaseLayer.linear(f.array(m, "weight"), f.array(m, "bias")), "lora_A", "lora_B"),
                f.array(m, "x"));
    }

    @Test
    void rsloraLinear() {
        Fixture f = Fixture.load("rslora_linear");
        check(f, lora(f, FixtureBaseLayer.linear(f.array(m, "weight"), f.array(m, "bias")), "lora_A", "lora_B"),
                f.array(m, "x"));
    }

    @Test
    void conv2dStride2() {
        Fixture f = Fixture.load("lora_conv2d");
        BaseLayer base = FixtureBaseLayer.conv2d(f.array(m, "weight"), f.array(m, "bias"), f.intParam("stride"),
                f.intParam("padding"));
        check(f, lora(f, base, "lora_A", "lora_B"), f.array(m, "x"));
    }

    @Test
    void embedding() {
        Fixture f = Fixture.load("lora_embedding");
        BaseLayer base = FixtureBaseLayer.embedding(f.array(m, "weight"));
        check(f, lora(f, base, "lora_embedding_A", "lora_embedding_B"), f.array(m, "indices"));
    }
}
