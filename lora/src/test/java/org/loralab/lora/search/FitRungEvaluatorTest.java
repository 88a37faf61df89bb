package org.loralab.lora.search;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.Model;
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

    static Model baseModel() {
        Model model = Model.newInstance("search-base");
        Net net = new Net();
        net.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, FEATURES));
        model.setBlock(net);
        return model;
    }

    @Test
    void tinyRealSearchOnBlobs() {
        try (NDManager m = NDManager.newBaseManager()) {
            SyntheticTasks.Split data = SyntheticTasks.blobs(m, 120, 60, FEATURES, CLASSES, 3.0, 5);
            AdapterConfig template = AdapterConfig.builder().targetModules("hidden", "head").seed(1).build();
            SearchSpace space = SearchSpace.of(List.of(2, 4), List.of(4.0, 8.0)).lrs(List.of(1e-3, 3e-2));
            FitRungEvaluator eval = new FitRungEvaluator(FitRungEvaluatorTest::baseModel, template,
                    data.train(), data.validation(), FitOptions.defaults().batchSize(20).seed(3));
            SearchResult res = new SuccessiveHalving(4, 2, 6, 11).run(space, eval);
            Table t = res.trials();
            System.out.println(t.print());
            System.out.println(res);
            assertEquals(4 + 2 + 1, t.rowCount());
            assertEquals(List.of(6L, 12L, 24L), res.plan().stream().map(Rung::steps).toList());
            assertEquals(4 * 6 + 2 * 12 + 24, res.totalSteps());
            for (double v : t.doubleColumn("metric").asDoubleArray()) {
                assertTrue(v >= 0 && v <= 1, "accuracy in [0, 1]: " + v);
            }
            assertTrue(space.contains(res.chosen()));
            assertTrue(res.chosenMetric() > 1.0 / CLASSES, "better than chance: " + res.chosenMetric());
            // the chosen one is the best of the last rung and was promoted through every earlier rung
            Table chosenRows = t.where(t.intColumn("trial").isEqualTo(res.chosen().id()));
            assertEquals(3, chosenRows.rowCount());
        }
    }
}
