package org.loralab.lora.variant.sora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.variant.LayerAdapter;
import org.loralab.lora.variant.ParamSource;
import org.loralab.lora.variant.SharedState;
import org.loralab.lora.variant.StepInfo;

/**
 * SoRA's model-level state (reference {@code SparseTrainer} + {@code SparseAdamW}, spec §16), run through the SPI's
 * training hooks: {@link #extraLoss} adds {@code sparse_lambda · Σ|g| / numel(all gates)}; {@link #afterStep} gives the
 * gates their own AdamW step (transformers' AdamW: bias-corrected, no weight decay) at {@code sparse_lr} times the
 * trainer's lr schedule factor ({@link #learningRate}), followed by
 * the proximal threshold ({@link GateThreshold}) at the current λ₂ of the sparsity schedule.
 *
 * <p>The gates are removed from the main optimizer's effect: {@link #beforeStep} remembers them and {@link #afterStep}
 * starts from those values, so whatever a generic trainer did to them in its own step is replaced. Loops that do not
 * call beforeStep start from the gate values as they find them.
 */
public final class SoraGateOptimizer implements SharedState {
    static final double BETA1 = 0.9;
    static final double BETA2 = 0.999;
    static final double EPS = 1e-6;

    private final SoraOptions options;
    private final double[] lambdas;
    private int stage;
    private final Map<String, SoraLayer> layers = new LinkedHashMap<>();
    private final Map<Parameter, float[]> before = new IdentityHashMap<>();
    private final Map<Parameter, double[][]> moments = new IdentityHashMap<>();
    private int steps;

    SoraGateOptimizer(SoraOptions options) {
        this.options = options;
        this.lambdas = options.lambdaValues();
    }

    @Override
    public void layersCreated(Map<String, LayerAdapter> created) {
        created.forEach((p, l) -> layers.put(p, (SoraLayer) l));
    }

    /** The layers by path. */
    public Map<String, SoraLayer> layers() {
        return java.util.Collections.unmodifiableMap(layers);
    }

    /** The current threshold λ₂ (the schedule's current stage). */
    public double lambda2() {
        return lambdas[stage];
    }

    /** The schedule's λ₂ values. */
    public double[] lambdaSchedule() {
        return lambdas.clone();
    }

    /** Moves to the next λ₂ of the sparsity schedule (reference {@code step_lambda}); false when at the last. */
    public boolean stepLambda() {
        if (stage + 1 >= lambdas.length) {
            return false;
        }
        stage++;
        return true;
    }

    /** The threshold actually applied for a gate step at learning rate {@code lr}. */
    public double threshold(double lr) {
        return options.thresholdTimesLr() ? lr * lambda2() : lambda2();
    }

    /** Surviving rank (non-zero gates) per layer path. */
    public Map<String, Integer> survivingRanks() {
        Map<String, Integer> out = new LinkedHashMap<>();
        layers.forEach((p, l) -> out.put(p, l.survivingRank()));
        return out;
    }

    @Override
    public void beforeStep(StepInfo step) {
        before.clear();
        for (SoraLayer l : layers.values()) {
            before.put(l.gate(), l.gate().getArray().toFloatArray());
        }
    }

    @Override
    public NDArray extraLoss(ParamSource params, NDManager scope) {
        if (options.sparseLambda() == 0 || layers.isEmpty()) {
            return null;
        }
        NDArray sum = null;
        long numel = 0;
        for (SoraLayer l : layers.values()) {
            if (l.rank() == 0) {
                continue;
            }
            NDArray g = params.value(l.gate());
            numel += g.size();
            NDArray s = own(scope, own(scope, g.abs()).sum());
            sum = sum == null ? s : own(scope, sum.add(s));
        }
        return sum == null ? null : own(scope, sum.mul((float) (options.sparseLambda() / numel)));
    }

    private static NDArray own(NDManager scope, NDArray a) {
        a.attach(scope);
        return a;
    }

    /**
     * The gates' learning rate for the update of {@code step}: sparse_lr times the trainer's schedule factor
     * (sparse_lr_schedule "trainer", the default), or sparse_lr ("constant", or no step info).
     */
    public double learningRate(StepInfo step) {
        boolean follow = step != null && options.sparseLrSchedule().equals("trainer");
        return follow ? options.sparseLr() * step.lrFactor() : options.sparseLr();
    }

    @Override
    public void afterStep(StepInfo step) {
        steps++;
        double lr = learningRate(step);
        float t = (float) threshold(lr);
        double bc1 = 1 - Math.pow(BETA1, steps);
        double bc2 = 1 - Math.pow(BETA2, steps);
        double stepSize = lr * Math.sqrt(bc2) / bc1;
        for (SoraLayer l : layers.values()) {
            NDArray value = l.gate().getArray();
            if (l.rank() == 0 || !value.hasGradient()) {
                continue;
            }
            float[] g = before.containsKey(l.gate()) ? before.get(l.gate()) : value.toFloatArray();
            float[] grad;
            try (NDArray gr = value.getGradient()) {
                grad = gr.toFloatArray();
            }
            double[][] mv = moments.computeIfAbsent(l.gate(), k -> new double[2][g.length]);
            for (int i = 0; i < g.length; i++) {
                mv[0][i] = BETA1 * mv[0][i] + (1 - BETA1) * grad[i];
                mv[1][i] = BETA2 * mv[1][i] + (1 - BETA2) * grad[i] * grad[i];
                g[i] = (float) (g[i] - stepSize * mv[0][i] / (Math.sqrt(mv[1][i]) + EPS));
            }
            options.thresholdRule().apply(g, t);
            try (NDArray nv = value.getManager().create(g, value.getShape())) {
                nv.copyTo(value);
            }
        }
        before.clear();
    }

    /** Writes the surviving rank of every layer that lost a gate, so loading builds the pruned layers. */
    @Override
    public AdapterConfig savedConfig(AdapterConfig config) {
        Map<String, Integer> ranks = new LinkedHashMap<>(options.survivingRanks());
        boolean pruned = false;
        for (SoraLayer l : layers.values()) {
            int s = l.survivingRank();
            if (s != l.rank()) {
                ranks.put(l.path(), s);
                pruned = true;
            }
        }
        return pruned ? config.toBuilder().option(SoraOptions.SURVIVING_RANKS, ranks).build() : config;
    }
}
