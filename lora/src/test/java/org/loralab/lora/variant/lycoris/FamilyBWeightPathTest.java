package org.loralab.lora.variant.lycoris;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.testing.Toy;

/**
 * Every family-b variant on the weight path (children in fields typed by a Linear subclass): no-op at
 * init, merge == unmerged, disable == base, training moves only adapter tensors; the token-routed
 * mixture, which has no ΔW, fails there with a clear message.
 */
class FamilyBWeightPathTest {
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

    private Toy.TypedMlp typed() {
        return Toy.init(new Toy.TypedMlp(), m, new Shape(9, 10));
    }

    private static AdapterConfig.Builder cfg(String variant) {
        AdapterConfig.Builder b = AdapterConfig.builder().variant(variant).r(4).alpha(8).targetModules("lin0", "lin1").seed(3);
        return variant.equals("moe") ? b.option("router", "static") : b;
    }

    @Test
    void matrixOnWeightPath() {
        for (String v : new String[] {"loha", "lokr", "mora", "lotr", "moe"}) {
            AdaptedModel am = VariantChecks.noOpAtInit(typed(), x, cfg(v).build());
            assertEquals("weight", am.layers().get(0).mechanism(), v);
            VariantChecks.mergeUnmergeDisable(typed(), x, cfg(v).init(false).build(), 1e-4);
            VariantChecks.onlyAdapterParamsMove(typed(), x, cfg(v).build(), v.equals("lotr") ? 0.05f : 0.5f);
        }
    }

    @Test
    void tokenRoutedMixtureFailsClearlyOnWeightPath() {
        AdaptedModel am = AdaptedModel.inject(typed(), AdapterConfig.builder().variant("moe").r(4)
                .targetModules("lin0", "lin1").build());
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> Toy.run(am.block(), x));
        assertTrue(e.getMessage().contains("moe"), e.getMessage());
    }
}
