package org.loralab.lora.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
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

    @Test
    void fitWarnsOnceBeforeTrainingAConvNetWhenTheCheckFails() {
        ConvSelfCheck.cache(new ConvSelfCheck.Result(false, "input gradient of 5x5 conv 4->4 at batch 1"));
        try {
            List<String> cnn = warningsOfOneStep(new SequentialBlock().add(Conv2d.builder()
                    .setKernelShape(new Shape(3, 3)).setFilters(2).build()).add(Blocks.batchFlattenBlock())
                    .add(Linear.builder().setUnits(3).build()), new Shape(12, 1, 4, 4));
            assertEquals(1, cnn.size(), cnn.toString());
            assertTrue(cnn.get(0).contains("5x5 conv 4->4") && cnn.get(0).contains("ONEDNN_MAX_CPU_ISA=SSE41"),
                    cnn.get(0));
            List<String> mlp = warningsOfOneStep(new SequentialBlock().add(Linear.builder().setUnits(3).build()),
                    new Shape(12, 8));
            assertTrue(mlp.isEmpty(), mlp.toString());
        } finally {
            ConvSelfCheck.cache(null);
        }
    }

    private static List<String> warningsOfOneStep(SequentialBlock block, Shape features) {
        List<String> warnings = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("conv-check")) {
            model.setBlock(block);
            block.initialize(model.getNDManager(), DataType.FLOAT32, features);
            TensorData data = new TensorData(m.randomUniform(0, 1, features), m.create(new long[(int) features.get(0)]));
            Fit.fit(model, data, null, FitOptions.defaults().steps(1).batchSize((int) features.get(0))
                    .listener(new FitListener() {
                        @Override
                        public void onWarning(String message) {
                            warnings.add(message);
                        }
                    }));
        }
        return warnings;
    }
}
