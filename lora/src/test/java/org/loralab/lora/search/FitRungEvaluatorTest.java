package org.loralab.lora.search;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.loralab.lora.variant.AdapterParam;
import org.junit.jupiter.api.Test;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.train.FitOptions;
import org.loralab.lora.train.SyntheticTasks;
import tech.tablesaw.api.Table;

/** One tiny real search: LoRA on a 2-layer MLP, synthetic blobs, trained through train's Sweep/fit. */
class FitRungEvaluatorTest {
    static final int FEATURES = 12;
    static final int CLASSES = 3;

    static final class Net extends AbstractBlock {
        final Block hidden;
        final Block head;

        Net() {
            hidden = addChildBlock("hidden", Linear.builder().setUnits(24).build());
            head = addChildBlock("head", Linear.builder().setUnits(CLASSES).build());
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
            NDList h = new NDList(Activation.relu(hidden.forward(ps, in, training, p).head()));
            return head.forward(ps, h, training, p);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] in) {
            return new Shape[] {new Shape(in[0].get(0), CLASSES)};
        }

        @Override
        protected void initializeChildBlocks(NDManager m, DataType t, Shape... in) {
            hidden.initialize(m, t, in);
            head.initialize(m, t, new Shape(in[0].get(0), 24));
        }
    }

    /** The same base weights at every call (the engine is reseeded first), so trials differ only by config. */
    static Model baseModel() {
        Engine.getInstance().setRandomSeed(7);
        Model model = Model.newInstance("search-base");
        Net net = new Net();
        net.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, FEATURES));
        model.setBlock(net);
        return model;
    }

    private static AdapterConfig template() {
        return AdapterConfig.builder().targetModules("hidden", "head").seed(1).build();
    }

    @Test
    void tinyRealSearchOnBlobsTrainsExactlyTheSuccessiveHalvingBudget() {
        try (NDManager m = NDManager.newBaseManager()) {
            SyntheticTasks.Split data = SyntheticTasks.blobs(m, 120, 60, FEATURES, CLASSES, 3.0, 5);
            SearchSpace space = SearchSpace.of(List.of(2, 4), List.of(4.0, 8.0)).lrs(List.of(1e-3, 3e-2));
            AtomicLong steps = new AtomicLong();
            FitOptions options = FitOptions.defaults().batchSize(20).seed(3)
                    .stepHook((step, total) -> steps.incrementAndGet());
            SearchResult res;
            try (FitRungEvaluator eval = new FitRungEvaluator(FitRungEvaluatorTest::baseModel, template(),
                    data.train(), data.validation(), options)) {
                res = new SuccessiveHalving(4, 2, 6, 11).run(space, eval);
                assertEquals(1, eval.held(), "only the chosen trial's model is still open");
                assertNotNull(eval.model(res.chosen()));
                assertEquals(24, eval.stepsDone(res.chosen()));
            }
            Table t = res.trials();
            System.out.println(t.print());
            System.out.println(res);
            assertEquals(4 + 2 + 1, t.rowCount());
            assertEquals(List.of(6L, 12L, 24L), res.plan().stream().map(Rung::steps).toList());
            long formula = 4 * 6 + 2 * (12 - 6) + (24 - 12);
            assertEquals(formula, steps.get(), "optimizer steps actually run");
            assertEquals(formula, res.totalSteps());
            for (double v : t.doubleColumn("metric").asDoubleArray()) {
                assertTrue(v >= 0 && v <= 1, "accuracy in [0, 1]: " + v);
            }
            assertTrue(space.contains(res.chosen()));
            assertTrue(res.chosenMetric() > 1.0 / CLASSES, "better than chance: " + res.chosenMetric());
            // the chosen one is the best of the last rung and was promoted through every earlier rung
            Table chosenRows = t.where(t.intColumn("trial").isEqualTo(res.chosen().id()));
            assertEquals(3, chosenRows.rowCount());

            steps.set(0);
            try (FitRungEvaluator retrain = new FitRungEvaluator(FitRungEvaluatorTest::baseModel, template(),
                    data.train(), data.validation(), options).retrainEachRung()) {
                SearchResult again = new SuccessiveHalving(4, 2, 6, 11).run(space, retrain);
                assertEquals(4 * 6 + 2 * 12 + 24, steps.get(), "retraining pays every rung's full budget");
                assertEquals(steps.get(), again.totalSteps());
                assertFalse(again.continued());
                assertEquals(0, retrain.held());
            }
        }
    }

    @Test
    void aContinuedTrialEqualsOneRunOfTheSameTotalSteps() {
        try (NDManager m = NDManager.newBaseManager()) {
            // 120 examples in batches of 20: 6 steps an epoch, so rung 1 (8 steps) stops inside the second epoch
            SyntheticTasks.Split data = SyntheticTasks.blobs(m, 120, 60, FEATURES, CLASSES, 3.0, 5);
            FitOptions options = FitOptions.defaults().batchSize(20).seed(3); // constant schedule, AdamW
            Trial trial = new Trial(0, 4, 8.0, 1e-2);
            try (FitRungEvaluator continued = new FitRungEvaluator(FitRungEvaluatorTest::baseModel, template(),
                    data.train(), data.validation(), options);
                    FitRungEvaluator oneGo = new FitRungEvaluator(FitRungEvaluatorTest::baseModel, template(),
                            data.train(), data.validation(), options)) {
                continued.evaluate(trial, 8);
                double metric = continued.evaluate(trial, 20);
                assertEquals(metric, oneGo.evaluate(trial, 20), 1e-9);
                assertEquals(20, continued.stepsDone(trial));
                Map<String, AdapterParam> a = continued.model(trial).trainableParameterMap();
                Map<String, AdapterParam> b = oneGo.model(trial).trainableParameterMap();
                assertEquals(a.keySet(), b.keySet());
                assertFalse(a.isEmpty());
                for (String name : a.keySet()) {
                    float[] x = a.get(name).parameter().getArray().toFloatArray();
                    float[] y = b.get(name).parameter().getArray().toFloatArray();
                    assertArrayEquals(y, x, 1e-6f, name);
                }
                // and the continuation did train: the adapter differs from the one after rung 1 alone
                try (FitRungEvaluator rung1 = new FitRungEvaluator(FitRungEvaluatorTest::baseModel, template(),
                        data.train(), data.validation(), options)) {
                    rung1.evaluate(trial, 8);
                    String bName = a.keySet().stream().filter(n -> n.contains("lora_B")).findFirst().orElseThrow();
                    float[] early = rung1.model(trial).trainableParameterMap().get(bName).parameter().getArray()
                            .toFloatArray();
                    float[] late = a.get(bName).parameter().getArray().toFloatArray();
                    double diff = 0;
                    for (int i = 0; i < early.length; i++) {
                        diff = Math.max(diff, Math.abs(early[i] - late[i]));
                    }
                    assertTrue(diff > 1e-4, "12 more steps moved lora_B: " + diff);
                }
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> continued.evaluate(trial, 20));
                assertTrue(e.getMessage().contains("budget must grow"), e.getMessage());
            }
        }
    }
}
