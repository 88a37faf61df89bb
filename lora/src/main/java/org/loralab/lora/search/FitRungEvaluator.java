package org.loralab.lora.search;

import ai.djl.Model;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.train.Fit;
import org.loralab.lora.train.FitOptions;
import org.loralab.lora.train.FitState;
import org.loralab.lora.train.StopReason;
import org.loralab.lora.train.Sweep;
import org.loralab.lora.train.TensorData;
import org.loralab.lora.train.TrainingReport;
import tech.tablesaw.api.Table;

/**
 * Evaluates trials with the train package: each trial gets its own copy of the base ({@code baseModel} is called
 * once per trial) with the template config at the trial's r and alpha injected, trained with {@code options} at the
 * trial's lr; the metric is the validation accuracy after the rung ({@code final_accuracy}, the default) or the best
 * one seen so far ({@code best_accuracy}).
 *
 * <p>By default a promoted trial continues: its model, optimizer state, step counter and data cursor
 * ({@link FitState}) are kept between rungs, so a rung trains only the trial's new steps. {@link #retrainEachRung()}
 * instead trains every rung from a fresh base through {@link Sweep} (the cost of each rung is then its full budget).
 * Trials are isolated (one model per trial); an eliminated trial's model is closed when the search releases it, the
 * chosen one stays available through {@link #model(Trial)} until {@link #close()}.
 */
public final class FitRungEvaluator implements RungEvaluator, AutoCloseable {
    private final Supplier<Model> baseModel;
    private final AdapterConfig template;
    private final TensorData train;
    private final TensorData validation;
    private final FitOptions options;
    private final boolean bestAccuracy;
    private boolean continuing = true;
    private final Map<Integer, Run> runs = new LinkedHashMap<>();

    /** A trial's model and training state between rungs. */
    private static final class Run {
        final AdaptedModel model;
        final FitState state = new FitState();
        double best = Double.NaN;

        Run(AdaptedModel model) {
            this.model = model;
        }
    }

    public FitRungEvaluator(Supplier<Model> baseModel, AdapterConfig template, TensorData train,
            TensorData validation, FitOptions options) {
        this(baseModel, template, train, validation, options, "final_accuracy");
    }

    /** As above with the metric: "final_accuracy" or "best_accuracy" (the sweep table's column names). */
    public FitRungEvaluator(Supplier<Model> baseModel, AdapterConfig template, TensorData train,
            TensorData validation, FitOptions options, String metricColumn) {
        if (validation == null) {
            throw new IllegalArgumentException("a search needs a validation set to compare configurations");
        }
        if (!metricColumn.equals("final_accuracy") && !metricColumn.equals("best_accuracy")) {
            throw new IllegalArgumentException("metric must be final_accuracy or best_accuracy, got " + metricColumn);
        }
        if (baseModel == null || template == null || train == null || options == null) {
            throw new IllegalArgumentException("a search needs a base model factory, a template config, training "
                    + "data and fit options");
        }
        this.baseModel = baseModel;
        this.template = template;
        this.train = train;
        this.validation = validation;
        this.options = options.copy();
        this.bestAccuracy = metricColumn.equals("best_accuracy");
    }

    /** Trains every rung from a fresh base instead of continuing (the cost of a rung is then its whole budget). */
    public FitRungEvaluator retrainEachRung() {
        if (!runs.isEmpty()) {
            throw new IllegalStateException("choose retrainEachRung() before the search starts");
        }
        this.continuing = false;
        return this;
    }

    @Override
    public boolean continuesTraining() {
        return continuing;
    }

    @Override
    public double evaluate(Trial trial, long steps) {
        return continuing ? continueTrial(trial, steps) : retrain(trial, steps);
    }

    private double continueTrial(Trial trial, long steps) {
        Run run = runs.get(trial.id());
        if (run == null) {
            Model base = baseModel.get();
            try {
                run = new Run(AdaptedModel.inject(base, configFor(trial)));
            } catch (RuntimeException e) {
                base.close();
                throw e;
            }
            runs.put(trial.id(), run);
        }
        long more = steps - run.state.stepsDone();
        if (more <= 0) {
            throw new IllegalArgumentException("trial " + trial.id() + " has already trained "
                    + run.state.stepsDone() + " steps; a rung's budget must grow (got " + steps + ")");
        }
        TrainingReport r = Fit.fit(run.model, train, validation, options.copy().lr(trial.lr()).steps(more),
                run.state);
        if (r.stopReason() == StopReason.INTERRUPTED) {
            throw new IllegalStateException("the search was interrupted while training trial " + trial.id()
                    + "; the search cannot rank an incomplete rung");
        }
        double metric = r.finalAccuracy();
        if (!Double.isNaN(metric) && (Double.isNaN(run.best) || metric > run.best)) {
            run.best = metric;
        }
        return bestAccuracy ? run.best : metric;
    }

    private double retrain(Trial trial, long steps) {
        Table rows = Sweep.run(List.of(trial.toPoint(template.variant())), baseModel, template, train, validation,
                options.copy().steps(steps));
        if (rows.rowCount() != 1) {
            throw new IllegalStateException("training of trial " + trial.id() + " stopped (interrupted?); the "
                    + "search cannot rank an incomplete rung");
        }
        return rows.doubleColumn(bestAccuracy ? "best_accuracy" : "final_accuracy").getDouble(0); // NaN (diverged) stays NaN
    }

    private AdapterConfig configFor(Trial t) {
        return template.toBuilder().r(t.r()).alpha(t.alpha()).build();
    }

    /** The trained model of a trial the search still holds (the chosen one after a search), else null. */
    public AdaptedModel model(Trial trial) {
        Run run = runs.get(trial.id());
        return run == null ? null : run.model;
    }

    /** Steps trial {@code trial} has trained so far (0 if it is not held). */
    public long stepsDone(Trial trial) {
        Run run = runs.get(trial.id());
        return run == null ? 0 : run.state.stepsDone();
    }

    /** How many trials' models are held now. */
    public int held() {
        return runs.size();
    }

    @Override
    public void release(Trial trial) {
        Run run = runs.remove(trial.id());
        if (run != null && run.model.model() != null) {
            run.model.model().close();
        }
    }

    /** Closes every model still held (the chosen one included). */
    @Override
    public void close() {
        for (Integer id : List.copyOf(runs.keySet())) {
            Run run = runs.remove(id);
            if (run.model.model() != null) {
                run.model.model().close();
            }
        }
    }
}
