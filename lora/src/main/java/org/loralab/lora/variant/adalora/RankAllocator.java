package org.loralab.lora.variant.adalora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.variant.LayerAdapter;
import org.loralab.lora.variant.ParamSource;
import org.loralab.lora.variant.SharedState;
import org.loralab.lora.variant.StepInfo;

/**
 * AdaLoRA's model-level state (PEFT {@code RankAllocator} + {@code AdaLoraModel.update_and_allocate} and the
 * orthogonal regulariser of {@code AdaLoraModel.forward}, spec §10.4-10.5). As {@link SharedState} hooks, a training
 * loop drives it without user code: {@link #extraLoss} adds {@code orth_reg_weight · mean ‖C − I‖_F}, and
 * {@link #afterStep} (after the optimizer step, gradients still set) updates the importance EMAs and masks E to the
 * cubic budget.
 */
public final class RankAllocator implements SharedState {
    private final String adapterName;
    private final AdaLoraOptions options;
    private final NDManager manager;
    private final Map<String, AdaLoraLayer> layers = new LinkedHashMap<>();
    private final Map<Parameter, NDArray[]> ema = new HashMap<>();
    private BudgetSchedule schedule;
    private Map<String, boolean[]> rankPattern;
    private int lastBudget = -1;
    private long lastStep = -1;

    RankAllocator(String adapterName, AdaLoraOptions options, NDManager parent) {
        this.adapterName = adapterName;
        this.options = options;
        this.manager = parent.newSubManager();
        this.rankPattern = options.rankPattern().isEmpty() ? null : new LinkedHashMap<>(options.rankPattern());
    }

    @Override
    public void layersCreated(Map<String, LayerAdapter> created) {
        for (Map.Entry<String, LayerAdapter> e : created.entrySet()) {
            layers.put(e.getKey(), (AdaLoraLayer) e.getValue());
        }
        schedule = BudgetSchedule.of(options, layers.size());
    }

    /** The budget schedule (init and target budgets over the adapted matrices). */
    public BudgetSchedule schedule() {
        return schedule;
    }

    /** The adapted layers by path. */
    public Map<String, AdaLoraLayer> layers() {
        return java.util.Collections.unmodifiableMap(layers);
    }

    /** The rank pattern of the last masking ("path.lora_E" → kept ranks), or null when never masked. */
    public Map<String, boolean[]> rankPattern() {
        return rankPattern == null ? null : java.util.Collections.unmodifiableMap(rankPattern);
    }

    /** The budget of the last masking step, or -1. */
    public int lastBudget() {
        return lastBudget;
    }

    /** The step {@link #afterStep} last saw, or -1. */
    public long lastStep() {
        return lastStep;
    }

    /** Surviving rank (E ≠ 0) per layer path. */
    public Map<String, Integer> activeRanks() {
        Map<String, Integer> out = new LinkedHashMap<>();
        layers.forEach((p, l) -> out.put(p, l.activeRank()));
        return out;
    }

    /** Whether the layers were built from a saved rank pattern (then training does not re-allocate). */
    private boolean resized() {
        return !options.rankPattern().isEmpty();
    }

    // ------------------------------------------------------------------ hooks

    /**
     * One line when the fit runs a number of steps other than total_step: the cubic budget schedule is laid out over
     * total_step, so it would stop early (fewer steps) or freeze the final pattern early (more steps). None for an
     * adapter loaded with a rank pattern, which does not re-allocate.
     */
    @Override
    public List<String> planWarnings(long totalSteps) {
        long t = options.totalStep();
        if (resized() || totalSteps <= 0 || totalSteps == t) {
            return List.of();
        }
        long end = t - options.tfinal();
        String head = "AdaLoRA adapter '" + adapterName + "': total_step=" + t + " but this fit runs " + totalSteps
                + " steps: the rank budget reaches target_r at step " + end;
        String effect = totalSteps < t
                ? ", so training stops with budget " + schedule.at(totalSteps - 1).budget() + " of "
                        + schedule.initBudget() + " (target " + schedule.targetBudget() + ")"
                : " and the last " + (totalSteps - end) + " steps keep that final rank pattern";
        String fix = "; set total_step to " + totalSteps + " (AdaLora.config(" + totalSteps + ") or option total_step="
                + totalSteps + ")" + (options.tinit() >= totalSteps - options.tfinal()
                        ? " with tinit < total_step - tfinal" : "");
        return List.of(head + effect + fix);
    }

    @Override
    public NDArray extraLoss(ParamSource params, NDManager scope) {
        if (options.orthRegWeight() == 0 || layers.isEmpty()) {
            return null;
        }
        NDArray sum = null;
        int n = 0;
        for (AdaLoraLayer l : layers.values()) {
            n += 2;
            if (l.rank() == 0) {
                continue;
            }
            NDArray a = params.value(l.loraA());
            NDArray b = params.value(l.loraB());
            NDArray termA = own(scope, frobeniusFromIdentity(own(scope, a.matMul(a.transpose())), scope));
            NDArray termB = own(scope, frobeniusFromIdentity(own(scope, b.transpose().matMul(b)), scope));
            NDArray t = own(scope, termA.add(termB));
            sum = sum == null ? t : own(scope, sum.add(t));
        }
        return sum == null ? null : own(scope, sum.mul((float) (options.orthRegWeight() / n)));
    }

    private static NDArray frobeniusFromIdentity(NDArray c, NDManager scope) {
        NDArray eye = own(scope, c.getManager().eye((int) c.getShape().get(0)).toType(c.getDataType(), false));
        NDArray d = own(scope, c.sub(eye));
        return own(scope, d.square()).sum().sqrt();
    }

    private static NDArray own(NDManager scope, NDArray a) {
        a.attach(scope);
        return a;
    }

    /** PEFT's {@code update_and_allocate(global_step)}, called by the training loop after every optimizer step. */
    @Override
    public void afterStep(StepInfo step) {
        updateAndAllocate(step.step());
    }

    /** One allocator step, as PEFT's {@code AdaLoraModel.update_and_allocate(globalStep)}. */
    public void updateAndAllocate(long globalStep) {
        lastStep = globalStep;
        if (resized()) {
            return;
        }
        long end = options.totalStep() - options.tfinal();
        if (globalStep < end) {
            updateImportance();
            BudgetSchedule.Budget b = schedule.at(globalStep);
            if (b.mask()) {
                maskToBudget(b.budget());
            }
        } else if (globalStep == end) {
            updateImportance();
            maskToBudget(schedule.at(globalStep).budget());
            resetImportance();
        } else if (rankPattern != null) {
            for (AdaLoraLayer l : layers.values()) {
                l.applyMask(rankPattern.get(AdaLoraOptions.patternKey(l.path())));
            }
        }
    }

    /** Sensitivity I = |p ⊙ ∇p| and its EMAs Ī (beta1), Ū (beta2) for every A, E, B (PEFT update_ipt). */
    void updateImportance() {
        for (AdaLoraLayer l : layers.values()) {
            if (l.rank() == 0) {
                continue;
            }
            for (Parameter p : new Parameter[] {l.loraA(), l.loraE(), l.loraB()}) {
                NDArray value = p.getArray();
                if (!value.hasGradient()) {
                    continue;
                }
                NDArray[] avg = ema.computeIfAbsent(p, k -> {
                    NDArray i = manager.zeros(value.getShape(), value.getDataType(), value.getDevice());
                    NDArray u = manager.zeros(value.getShape(), value.getDataType(), value.getDevice());
                    return new NDArray[] {i, u};
                });
                try (NDScope scope = new NDScope()) {
                    NDArray grad = value.getGradient();
                    NDArray ipt = value.mul(grad).abs();
                    avg[0].muli(options.beta1()).addi(ipt.mul(1 - options.beta1()));
                    avg[1].muli(options.beta2()).addi(ipt.sub(avg[0]).abs().muli(1 - options.beta2()));
                }
            }
        }
    }

    private void resetImportance() {
        for (NDArray[] a : ema.values()) {
            a[0].close();
            a[1].close();
        }
        ema.clear();
    }

    /** score(p) = Ī ⊙ Ū, or zeros before the first update. */
    private float[] score(Parameter p) {
        NDArray[] avg = ema.get(p);
        if (avg == null) {
            return new float[(int) p.getArray().size()];
        }
        try (NDArray s = avg[0].mul(avg[1])) {
            return s.toFloatArray();
        }
    }

    /**
     * Triplet score per rank, S_i = s(E_i) + mean_j s(A_ij) + mean_j s(B_ji), of one layer (PEFT mask_to_budget).
     */
    double[] tripletScores(AdaLoraLayer l) {
        int r = l.rank();
        long in = AdaLoraLayer.columns(l.base());
        long out = l.base().outFeatures();
        float[] sa = score(l.loraA());
        float[] se = score(l.loraE());
        float[] sb = score(l.loraB());
        double[] s = new double[r];
        for (int i = 0; i < r; i++) {
            double a = 0;
            for (int j = 0; j < in; j++) {
                a += sa[(int) (i * in + j)];
            }
            double b = 0;
            for (int j = 0; j < out; j++) {
                b += sb[(int) (j * r + i)];
            }
            s[i] = se[i] + a / in + b / out;
        }
        return s;
    }

    /**
     * Zeroes E of the ranks whose triplet score is at most the k-th smallest score over all layers, with
     * {@code k = init_budget − budget} (ties mask more, as kthvalue with {@code <=}); returns the rank pattern.
     * With k ≤ 0 nothing is masked (PEFT's kthvalue would fail there, issue #2337). The pattern is what
     * {@link #savedConfig} writes and saving slices by.
     */
    Map<String, boolean[]> maskToBudget(int budget) {
        Map<String, double[]> scores = new LinkedHashMap<>();
        List<Double> all = new ArrayList<>();
        for (AdaLoraLayer l : layers.values()) {
            double[] s = tripletScores(l);
            scores.put(l.path(), s);
            for (double v : s) {
                all.add(v);
            }
        }
        int k = schedule.initBudget() - budget;
        double threshold = Double.NEGATIVE_INFINITY;
        if (k > 0) {
            double[] sorted = all.stream().mapToDouble(Double::doubleValue).toArray();
            Arrays.sort(sorted);
            threshold = sorted[Math.min(k, sorted.length) - 1];
        }
        Map<String, boolean[]> pattern = new LinkedHashMap<>();
        for (AdaLoraLayer l : layers.values()) {
            double[] s = scores.get(l.path());
            boolean[] keep = new boolean[s.length];
            for (int i = 0; i < s.length; i++) {
                keep[i] = !(s[i] <= threshold);
            }
            l.applyMask(keep);
            pattern.put(AdaLoraOptions.patternKey(l.path()), keep);
        }
        lastBudget = budget;
        rankPattern = pattern;
        return pattern;
    }

    @Override
    public AdapterConfig savedConfig(AdapterConfig config) {
        if (rankPattern == null || resized()) {
            return config;
        }
        return config.toBuilder().option(AdaLoraOptions.RANK_PATTERN, AdaLoraOptions.toJson(rankPattern)).build();
    }

    @Override
    public void close() {
        resetImportance();
        manager.close();
    }
}
