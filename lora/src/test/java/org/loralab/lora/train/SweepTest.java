package org.loralab.lora.train;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.loralab.lora.variant.StepInfo;
import org.loralab.lora.variant.TrainingHooks;
import tech.tablesaw.api.Table;

class SweepTest {

    @Test
    void gridIsTheCartesianProductInOrder() {
        List<Sweep.Point> g = Sweep.grid(List.of("lora", "dora"), List.of(4, 8), List.of(16.0), List.of(1e-3, 1e-2));
        assertEquals(8, g.size());
        assertEquals(new Sweep.Point("lora", 4, 16.0, 1e-3), g.get(0));
        assertEquals(new Sweep.Point("dora", 8, 16.0, 1e-2), g.get(7));
        assertThrows(IllegalArgumentException.class, () -> Sweep.grid(List.of(), List.of(4), List.of(1.0),
                List.of(1e-3)));
    }

    @Test
    void oneRowPerPointWithCountsAndAccuracies() {
        try (NDManager m = NDManager.newBaseManager()) {
            TensorData train = Fixtures.blobs(m, 60, 1);
            TensorData val = Fixtures.blobs(m, 30, 2);
            List<Sweep.Point> grid = Sweep.grid(List.of("lora"), List.of(2), List.of(4.0, 8.0), List.of(1e-2, 5e-2));
            List<Model> made = new ArrayList<>();
            Table t = Sweep.runWith(grid, p -> {
                Model model = Fixtures.loraModel("sweep", p.alpha() / p.r(), 0f);
                made.add(model);
                return FakeAdapted.of(model, TrainingHooks.NONE);
            }, train, val, FitOptions.defaults().epochs(2).batchSize(20));
            assertEquals(4, t.rowCount());
            assertEquals(List.of("variant", "r", "alpha", "lr", "trainable_params", "pct_of_base", "final_accuracy",
                    "best_accuracy", "seconds", "examples_per_s"), t.columnNames());
            for (int i = 0; i < 4; i++) {
                assertEquals(22, t.longColumn("trainable_params").get(i)); // A 2x8 + B 3x2
                assertEquals(100.0 * 22 / 24, t.doubleColumn("pct_of_base").get(i), 1e-9);
                double fin = t.doubleColumn("final_accuracy").get(i);
                assertTrue(fin >= 0 && fin <= 1);
                assertTrue(t.doubleColumn("best_accuracy").get(i) >= fin);
            }
            assertEquals(5e-2, t.doubleColumn("lr").get(3), 0);
            assertEquals(8.0, t.doubleColumn("alpha").get(3), 0);
        }
    }

    @Test
    void fitOfAnAdaptedModelCallsItsHooksEveryStep() {
        try (NDManager m = NDManager.newBaseManager(); Model model = Fixtures.loraModel("hooks", 1.0, 0f)) {
            List<String> calls = new ArrayList<>();
            TrainingHooks hooks = new TrainingHooks() {
                @Override
                public void beforeStep(StepInfo s) {
                    calls.add("b" + s.step() + "/" + s.totalSteps());
                }

                @Override
                public void afterStep(StepInfo s) {
                    calls.add("a" + s.step());
                }
            };
            Fit.fit(FakeAdapted.of(model, hooks), Fixtures.blobs(m, 16, 1), null,
                    FitOptions.defaults().steps(2).batchSize(8));
            assertEquals(List.of("b0/2", "a0", "b1/2", "a1"), calls);
        }
    }
}
