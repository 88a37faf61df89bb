package org.loralab.lora.train;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/**
 * Fit's gradient guard: a backward pass that returns a NaN gradient for a finite loss (what the CPU engine does
 * sporadically on some machines) is computed again instead of ruining the run.
 */
class GradientGuardTest {

    /** A Linear whose training forwards selected by {@code faulty} add 0 to the output with a NaN gradient. */
    static final class FaultyLinear extends AbstractBlock {
        private final Linear linear = addChildBlock("linear", Linear.builder().setUnits(1).optBias(false).build());
        private final IntPredicate faulty;
        private int trainingCalls;

        FaultyLinear(IntPredicate faulty) {
            this.faulty = faulty;
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray y = linear.forward(ps, inputs, training, params).head();
            if (training && faulty.test(++trainingCalls)) {
                NDArray w = ps.getValue(linear.getParameters().get("weight"), y.getDevice(), true);
                y = y.add(w.mul(0f).sqrt().sum()); // value 0, gradient 0.5/sqrt(0)·0 = NaN
            }
            return new NDList(y);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return linear.getOutputShapes(inputShapes);
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            linear.initialize(manager, dataType, inputShapes);
        }
    }

    private record Run(TrainingReport report, float[] weight, List<String> warnings) {}

    private static Run train(IntPredicate faulty, boolean guard) {
        float[] x = {1f, 2f, -1f, 0.5f, 3f, -2f, 0.2f, 1f};
        float[] y = {1f, -1f, 2f, 0.5f};
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("guard")) {
            FaultyLinear block = new FaultyLinear(faulty);
            model.setBlock(block);
            block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(2, 2));
            block.linear.getParameters().get("weight").getArray().set(new float[] {0.3f, -0.2f});
            List<String> warnings = new ArrayList<>();
            TensorData data = new TensorData(m.create(x, new Shape(4, 2)), m.create(y, new Shape(4, 1)));
            TrainingReport r = Fit.fit(model, data, null, FitOptions.defaults().steps(12).batchSize(2).shuffle(false)
                    .optimizer(OptimizerKind.SGD).lr(0.05).weightDecay(0).loss(Loss.l2Loss()).nonFiniteGuard(guard)
                    .listener(new FitListener() {
                        @Override
                        public void onWarning(String message) {
                            warnings.add(message);
                        }
                    }));
            return new Run(r, block.linear.getParameters().get("weight").getArray().toFloatArray(), warnings);
        }
    }

    @Test
    void aSporadicNanGradientIsComputedAgainAndTheRunMatchesACleanOne() {
        Run clean = train(call -> false, true);
        Run faulty = train(call -> call == 10, true);
        assertEquals(StopReason.COMPLETED, faulty.report().stopReason());
        assertEquals(12, faulty.report().stepsDone());
        assertArrayEquals(clean.weight(), faulty.weight(), 0f, "the recomputed step is the clean step");
        assertArrayEquals(clean.report().stepLosses(), faulty.report().stepLosses(), 0.0);
        assertEquals(1, faulty.warnings().size(), faulty.warnings().toString());
        assertTrue(faulty.warnings().get(0).startsWith("step 10: the engine returned a non-finite gradient"),
                faulty.warnings().get(0));
        assertTrue(faulty.warnings().get(0).contains("got a normal gradient"), faulty.warnings().get(0));
        assertTrue(clean.warnings().isEmpty());
    }

    @Test
    void aGradientThatStaysNanStopsTheRunWithTheLastGoodWeights() {
        Run clean = train(call -> false, true);
        Run broken = train(call -> call >= 10, true);
        assertEquals(StopReason.NON_FINITE_LOSS, broken.report().stopReason());
        assertEquals(9, broken.report().stepsDone());
        for (float v : broken.weight()) {
            assertTrue(Float.isFinite(v), "restored weights are finite");
        }
        assertEquals(2, broken.warnings().size(), "two recomputations, then the stop");
        assertTrue(broken.warnings().get(1).contains("got the same"), broken.warnings().get(1));
        assertFalse(java.util.Arrays.equals(clean.weight(), broken.weight()));
    }

    @Test
    void withoutTheGuardTheNanGradientReachesTheWeights() {
        Run unguarded = train(call -> call == 10, false);
        boolean anyNan = false;
        for (float v : unguarded.weight()) {
            anyNan |= Float.isNaN(v);
        }
        assertTrue(anyNan, "the fault this guard exists for must be real in this test");
    }
}
