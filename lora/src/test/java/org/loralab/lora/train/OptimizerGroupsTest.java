package org.loralab.lora.train;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** LoRA+ grouping, as PEFT's tests/test_loraplus.py asserts it (variants spec §4). */
class OptimizerGroupsTest {

    private static ParamInfo p(String name, Parameter.Type type, long... shape) {
        return new ParamInfo(name, Parameter.builder().setName(name).setType(type).optShape(new Shape(shape)).build(),
                TrainableParams.roleByName(name), Double.NaN);
    }

    private static final List<ParamInfo> PARAMS = List.of(
            p("lin0.lora_A.default", Parameter.Type.WEIGHT, 2, 8),
            p("lin0.lora_B.default", Parameter.Type.WEIGHT, 3, 2),
            p("lin0.bias", Parameter.Type.BIAS, 3),
            p("emb.lora_embedding_A.default", Parameter.Type.WEIGHT, 2, 10),
            p("emb.lora_embedding_B.default", Parameter.Type.WEIGHT, 4, 2),
            p("head.weight", Parameter.Type.WEIGHT, 3, 4),
            p("norm.gamma", Parameter.Type.GAMMA, 4),
            p("dora.magnitude", Parameter.Type.OTHER, 3));

    @Test
    void fourGroupsWithPeftLearningRatesAndMembership() {
        List<ParamGroup> g = OptimizerGroups.loraPlus(PARAMS, 2e-4, 16, 0.01, 1e-6);
        assertEquals(List.of("groupA", "embedding", "groupB", "groupB_no_decay"),
                g.stream().map(ParamGroup::name).toList());
        assertEquals(2e-4, g.get(0).lr(), 0);
        assertEquals(1e-6, g.get(1).lr(), 0);
        assertEquals(2e-4 * 16, g.get(2).lr(), 0);
        assertEquals(g.get(2).lr(), g.get(3).lr(), 0);
        assertEquals(List.of("lin0.lora_A.default", "head.weight"), g.get(0).paramNames());
        assertEquals(List.of("emb.lora_embedding_A.default", "emb.lora_embedding_B.default"),
                g.get(1).paramNames());
        assertEquals(List.of("lin0.lora_B.default", "dora.magnitude"), g.get(2).paramNames());
        assertEquals(List.of("lin0.bias", "norm.gamma"), g.get(3).paramNames());
        assertEquals(0.01, g.get(0).weightDecay(), 0);
        assertEquals(0.01, g.get(1).weightDecay(), 0);
        assertEquals(0.01, g.get(2).weightDecay(), 0);
        assertEquals(0.0, g.get(3).weightDecay(), 0);
    }

    @Test
    void ratioIsRequired() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OptimizerGroups.loraPlus(PARAMS, 1e-3, Double.NaN, 0, 1e-6));
        assertTrue(e.getMessage().contains("ratio"), e.getMessage());
    }

    @Test
    void modelWithoutLoraHasAnEmptyEmbeddingGroupAndTrains() {
        try (NDManager m = NDManager.newBaseManager(); Model model = Fixtures.mlp("plainplus")) {
            List<ParamGroup> g = OptimizerGroups.loraPlus(TrainableParams.of(model.getBlock()), 1e-3, 16, 0,
                    1e-6);
            assertTrue(g.get(1).paramNames().isEmpty());
            assertEquals(2, g.get(0).paramNames().size()); // the two weights
            assertEquals(2, g.get(3).paramNames().size()); // the two biases
            TrainingReport r = Fit.fit(model, Fixtures.blobs(m, 32, 1), null,
                    FitOptions.defaults().steps(2).batchSize(16).loraPlus(16));
            assertEquals(2, r.stepsDone());
        }
    }

    @Test
    void adamwStepMovesBSixteenTimesFurtherThanA() {
        try (NDManager m = NDManager.newBaseManager(); Model model = Fixtures.loraModel("plus", 2.0, 0.1f)) {
            TinyLoraLinear b = (TinyLoraLinear) model.getBlock();
            float[] a0 = b.loraA.getArray().toFloatArray();
            float[] b0 = b.loraB.getArray().toFloatArray();
            double lr = 1e-3;
            Fit.fit(model, Fixtures.blobs(m, 32, 1), null,
                    FitOptions.defaults().steps(1).batchSize(32).lr(lr).loraPlus(16));
            // Adam's first step moves every weight with a nonzero gradient by lr * g/(|g| + eps) ~ +-lr
            assertEquals(lr, maxAbsDiff(a0, b.loraA.getArray().toFloatArray()), lr * 1e-3);
            assertEquals(16 * lr, maxAbsDiff(b0, b.loraB.getArray().toFloatArray()), 16 * lr * 1e-3);
        }
    }

    static double[] diff(float[] x, float[] y) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = (double) y[i] - x[i];
        }
        return d;
    }

    static double maxAbsDiff(float[] x, float[] y) {
        double d = 0;
        for (int i = 0; i < x.length; i++) {
            d = Math.max(d, Math.abs((double) x[i] - y[i]));
        }
        return d;
    }
}
