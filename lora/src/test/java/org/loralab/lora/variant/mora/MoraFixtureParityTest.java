package org.loralab.lora.variant.mora;

import org.loralab.lora.testing.ManagedTest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.testing.Fixture;
import org.loralab.lora.testing.FixtureBaseLayer;
import org.loralab.lora.variant.AdapterInput;
import org.loralab.lora.variant.BaseLayer;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.ParamSource;
import org.loralab.lora.variant.SharedState;
import org.loralab.lora.variant.VariantRegistry;

/**
 * MoRA types 1, 2, 3, 4 and 6 against tools/fixtures/make_mora_fixtures.py (the reference's _apply_mora and
 * get_delta_weight): forward, ΔW, merge and unmerge, on divisible and non-divisible in/out.
 */
class MoraFixtureParityTest extends ManagedTest {
    private static final double TOL = 1e-5;

    @Test
    void everyTypeAndShapeMatchesTheReference() {
        Fixture f = Fixture.load("mora_forward");
        TreeSet<String> cases = new TreeSet<>();
        for (String t : f.tensorNames()) {
            if (t.endsWith(".x")) {
                cases.add(t.substring(0, t.length() - 2));
            }
        }
        assertEquals(20, cases.size(), "5 types x 4 shapes");
        for (String c : cases) {
            check(f, c);
        }
    }

    private void check(Fixture f, String c) {
        int type = f.intParam(c + ".type");
        NDArray w0 = f.array(m, c + ".weight");
        BaseLayer base = FixtureBaseLayer.linear(w0.duplicate(), f.array(m, c + ".bias"));
        AdapterConfig cfg = AdapterConfig.builder().variant("mora").r(f.intParam(c + ".r")).option("mora_type", type)
                .targetModules("x").build();
        MoraLayer l = (MoraLayer) VariantRegistry.get("mora").createLayer(
                new LayerSpec("x", "default", cfg, base, cfg.r(), cfg.alpha(), new Random(0)), SharedState.NONE);
        assertEquals(f.intParam(c + ".r_hat"), l.squareSize(), c + " r_hat");
        l.parameters().get(0).parameter().getArray().set(f.floats(c + ".M"));
        NDArray x = f.array(m, c + ".x");
        NDArray bias = base.bias().getArray();
        NDArray y0 = base.apply(x, base.weight().getArray(), bias);
        NDArray y = y0.add(l.forward(new AdapterInput(x, y0, false, ParamSource.DIRECT)));
        Fixture.assertClose(f.array(m, c + ".y"), y, TOL, c + " y");
        Fixture.assertClose(f.array(m, c + ".delta_w"), l.deltaWeight(ParamSource.DIRECT), TOL, c + " delta_w");
        l.merge();
        Fixture.assertClose(f.array(m, c + ".y"), base.apply(x, base.weight().getArray(), bias), 1e-4, c + " merged y");
        l.unmerge();
        Fixture.assertClose(w0, base.weight().getArray(), 1e-6, c + " unmerge restores W");
        assertTrue(l.type() == type);
    }
}
