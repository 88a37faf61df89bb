package org.loralab.lora.search;

import ai.djl.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.train.FitOptions;
import org.loralab.lora.train.Sweep;
import org.loralab.lora.train.TensorData;
import tech.tablesaw.api.Table;

/**
 * Evaluates a rung with the train package's {@link Sweep}: for each trial a fresh base model, the template config
 * with the trial's r and alpha injected, {@code options} with the rung's step count and the trial's lr, and the
 * chosen validation metric of the sweep row ({@code final_accuracy} by default, or {@code best_accuracy}).
 */
public final class FitRungEvaluator implements RungEvaluator {
    private final Supplier<Model> baseModel;
    private final AdapterConfig template;
    private final TensorData train;
    private final TensorData validation;
    private final FitOptions options;
    private final String metricColumn;

    public FitRungEvaluator(Supplier<Model> baseModel, AdapterConfig template, TensorData train,
            TensorData validation, FitOptions options) {
        this(baseModel, template, train, validation, options, "final_accuracy");
    }

    /** As above with the sweep column to use as the metric ("final_accuracy" or "best_accuracy"). */
    public FitRungEvaluator(Supplier<Model> baseModel, AdapterConfig template, TensorData train,
            TensorData validation, FitOptions options, String metricColumn) {
        if (validation == null) {
            throw new IllegalArgumentException("a search needs a validation set to compare configurations");
        }
        if (!metricColumn.equals("final_accuracy") && !metricColumn.equals("best_accuracy")) {
            throw new IllegalArgumentException("metric must be final_accuracy or best_accuracy, got " + metricColumn);
        }
        this.baseModel = baseModel;
        this.template = template;
        this.train = train;
        this.validation = validation;
        this.options = options.copy();
        this.metricColumn = metricColumn;
    }

    @Override
    public List<Double> evaluate(List<Trial> trials, long steps) {
        List<Sweep.Point> points = new ArrayList<>();
        for (Trial t : trials) {
            points.add(t.toPoint(template.variant()));
        }
        Table rows = Sweep.run(points, baseModel, template, train, validation, options.copy().steps(steps));
        if (rows.rowCount() != trials.size()) {
            throw new IllegalStateException("training stopped after " + rows.rowCount() + " of " + trials.size()
                    + " trials (interrupted?); the search cannot rank an incomplete rung");
        }
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < rows.rowCount(); i++) {
            out.add(rows.doubleColumn(metricColumn).get(i));
        }
        return out;
    }
}
