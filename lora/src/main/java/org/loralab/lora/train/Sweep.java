package org.loralab.lora.train;

import ai.djl.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** Trains a grid (variant x rank x alpha x lr) and collects one row per point in a Tablesaw table. */
public final class Sweep {
    private Sweep() {}

    /** One grid point. */
    public record Point(String variant, int r, double alpha, double lr) {}

    /** The Cartesian product, in variant, r, alpha, lr order. */
    public static List<Point> grid(List<String> variants, List<Integer> ranks, List<Double> alphas,
            List<Double> lrs) {
        if (variants.isEmpty() || ranks.isEmpty() || alphas.isEmpty() || lrs.isEmpty()) {
            throw new IllegalArgumentException("a sweep needs at least one variant, rank, alpha and lr");
        }
        List<Point> out = new ArrayList<>();
        for (String v : variants) {
            for (int r : ranks) {
                for (double a : alphas) {
                    for (double lr : lrs) {
                        out.add(new Point(v, r, a, lr));
                    }
                }
            }
        }
        return out;
    }

    /**
     * For each point: a fresh base model from {@code baseModel}, the template config with the point's variant, r and
     * alpha injected, trained with {@code options} at the point's lr. Each model is closed after its row is taken.
     */
    public static Table run(List<Point> points, Supplier<Model> baseModel, AdapterConfig template,
            TensorData train, TensorData validation, FitOptions options) {
        return runWith(points, p -> {
            Model base = baseModel.get();
            AdapterConfig cfg = template.toBuilder().variant(p.variant()).r(p.r()).alpha(p.alpha()).build();
            return AdaptedModel.inject(base, cfg);
        }, train, validation, options);
    }

    /** As {@link #run} with any way of building the adapted model for a point. */
    public static Table runWith(List<Point> points, Function<Point, AdaptedModel> factory, TensorData train,
            TensorData validation, FitOptions options) {
        Table t = emptyTable();
        for (Point p : points) {
            AdaptedModel m = factory.apply(p);
            try {
                TrainingReport r = Fit.fit(m, train, validation, options.copy().lr(p.lr()));
                addRow(t, p, r);
                if (r.stopReason() == StopReason.INTERRUPTED) {
                    break;
                }
            } finally {
                if (m.model() != null) {
                    m.model().close();
                }
            }
        }
        return t;
    }

    static Table emptyTable() {
        return Table.create("sweep",
                StringColumn.create("variant"), IntColumn.create("r"), DoubleColumn.create("alpha"),
                DoubleColumn.create("lr"), LongColumn.create("trainable_params"), DoubleColumn.create("pct_of_base"),
                DoubleColumn.create("final_accuracy"), DoubleColumn.create("best_accuracy"),
                DoubleColumn.create("seconds"), DoubleColumn.create("examples_per_s"));
    }

    static void addRow(Table t, Point p, TrainingReport r) {
        long base = r.totalParams() - r.trainableParams();
        t.stringColumn("variant").append(p.variant());
        t.intColumn("r").append(p.r());
        t.doubleColumn("alpha").append(p.alpha());
        t.doubleColumn("lr").append(p.lr());
        t.longColumn("trainable_params").append(r.trainableParams());
        t.doubleColumn("pct_of_base").append(base > 0 ? 100.0 * r.trainableParams() / base : Double.NaN);
        t.doubleColumn("final_accuracy").append(r.finalAccuracy());
        t.doubleColumn("best_accuracy").append(r.bestAccuracy());
        t.doubleColumn("seconds").append(r.wallSeconds());
        t.doubleColumn("examples_per_s").append(r.examplesPerSecond());
    }
}
