package org.loralab.lora.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/**
 * Regression test for the CPU engine's wrong convolutions (see {@link ConvSelfCheck}): fails on an affected
 * machine unless the test JVM runs with ONEDNN_MAX_CPU_ISA=SSE41 (the surefire configuration sets it).
 */
class ConvSelfCheckTest {
    @Test
    void engineConvolutionsAgreeWithLoops() {
        ConvSelfCheck.Result r = ConvSelfCheck.run();
        assertTrue(r.ok(), "engine Conv2d disagrees with plain loops: " + r.detail() + " ("
                + ConvSelfCheck.ENV + "=" + System.getenv(ConvSelfCheck.ENV) + ")");
        assertEquals("ok", r.detail());
        assertTrue(ConvSelfCheck.warning().isEmpty());
    }

    @Test
    void findsConvolutionsAnywhereInTheTree() {
        SequentialBlock inner = new SequentialBlock().add(Conv2d.builder().setKernelShape(new Shape(3, 3))
                .setFilters(4).build());
        SequentialBlock cnn = new SequentialBlock().add(Activation::relu).add(inner);
        SequentialBlock mlp = new SequentialBlock().add(Linear.builder().setUnits(3).build()).add(Activation::relu);
        assertTrue(ConvSelfCheck.containsConv(cnn));
        assertFalse(ConvSelfCheck.containsConv(mlp));
    }
}
