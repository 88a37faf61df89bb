package org.loralab.lora.variant.sora;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.loralab.lora.config.AdapterConfig;

/**
 * SoRA's options (reference TsinghuaC3I/SoRA, spec §16) from {@link AdapterConfig#options()}.
 *
 * @param sparseLambda weight of the L1 term {@code λ·Σ|g|/numel(gates)} added to the loss ("sparse_lambda", 1e-3)
 * @param sparseLambda2 threshold λ₂ of the proximal step ("sparse_lambda_2", 1e-3)
 * @param sparseLr learning rate of the gates' own AdamW ("sparse_lr", 1e-3; the reference defaults it to the main lr,
 *     which the SPI hooks do not see, so set it to your lr)
 * @param sparseLrSchedule "sparse_lr_schedule": "trainer" (default) scales sparse_lr by the trainer's lr schedule
 *     factor of each step ({@code StepInfo.lrFactor}: Fit's "constant", "cosine" or "linear" schedule with its
 *     warm-up), so the gates warm up and decay with the main lr as in the reference, whose gate optimizer gets the
 *     same get_linear_schedule_with_warmup as the main one (use Fit's schedule "linear" to match it); "constant"
 *     keeps sparse_lr fixed whatever the trainer does
 * @param thresholdRule "threshold_rule": "soft" (default, the paper) or "reference" (the shipped code's quirk)
 * @param thresholdTimesLr "threshold_times_lr": threshold lr·λ₂ (the paper's T_{ηλ},
 *     {@code sparse_optimizer_multiply_lr.py}) instead of λ₂ (default false: the optimizer the reference scripts
 *     import, so published λ₂ values keep their meaning)
 * @param maxLambda "max_lambda": last λ₂ of the sparsity schedule (default: λ₂, i.e. no schedule)
 * @param lambdaNum "lambda_num": number of schedule values (default 1)
 * @param lambdaSchedule "lambda_schedule", the reference's three spacings of the lambda_num values from λ₂ to
 *     max_lambda: "linear" (default, {@code linspace(λ₂, max)}), "log_linear" ({@code log(linspace(e^λ₂, e^max))})
 *     and "exp_linear" ({@code exp(linspace(ln λ₂, ln max))}, geometric; needs λ₂ > 0)
 * @param survivingRanks "surviving_ranks": rank per layer path after pruning (written on save)
 */
public record SoraOptions(double sparseLambda, double sparseLambda2, double sparseLr, String sparseLrSchedule,
        GateThreshold thresholdRule,
        boolean thresholdTimesLr, double maxLambda, int lambdaNum, String lambdaSchedule,
        Map<String, Integer> survivingRanks) {

    public static final String SPARSE_LAMBDA = "sparse_lambda";
    public static final String SPARSE_LAMBDA_2 = "sparse_lambda_2";
    public static final String SPARSE_LR = "sparse_lr";
    public static final String SPARSE_LR_SCHEDULE = "sparse_lr_schedule";
    public static final String THRESHOLD_RULE = "threshold_rule";
    public static final String THRESHOLD_TIMES_LR = "threshold_times_lr";
    public static final String MAX_LAMBDA = "max_lambda";
    public static final String LAMBDA_NUM = "lambda_num";
    public static final String LAMBDA_SCHEDULE = "lambda_schedule";
    public static final String SURVIVING_RANKS = "surviving_ranks";

    /** Every SoRA key. */
    public static final String[] KEYS = {SPARSE_LAMBDA, SPARSE_LAMBDA_2, SPARSE_LR, SPARSE_LR_SCHEDULE, THRESHOLD_RULE,
        THRESHOLD_TIMES_LR, MAX_LAMBDA, LAMBDA_NUM, LAMBDA_SCHEDULE, SURVIVING_RANKS};

    /** The values of "lambda_schedule". */
    public static final List<String> LAMBDA_SCHEDULES = List.of("linear", "log_linear", "exp_linear");

    /** The values of "sparse_lr_schedule". */
    public static final List<String> LR_SCHEDULES = List.of("trainer", "constant");

    /** Reads and validates. */
    public static SoraOptions of(AdapterConfig c) {
        double l2 = c.optionDouble(SPARSE_LAMBDA_2, 1e-3);
        Object rule = c.options().get(THRESHOLD_RULE);
        Object sched = c.options().get(LAMBDA_SCHEDULE);
        Object lrSched = c.options().get(SPARSE_LR_SCHEDULE);
        SoraOptions o = new SoraOptions(c.optionDouble(SPARSE_LAMBDA, 1e-3), l2, c.optionDouble(SPARSE_LR, 1e-3),
                lrSched == null ? "trainer" : lrSched.toString(),
                rule == null ? GateThreshold.SOFT : GateThreshold.parse(rule.toString()),
                c.optionBoolean(THRESHOLD_TIMES_LR, false), c.optionDouble(MAX_LAMBDA, l2),
                (int) c.optionLong(LAMBDA_NUM, 1), sched == null ? "linear" : sched.toString(),
                ranks(c.options().get(SURVIVING_RANKS)));
        if (!(o.sparseLambda >= 0) || !(o.sparseLambda2 >= 0) || !(o.sparseLr > 0) || !(o.maxLambda >= 0)) {
            throw new IllegalArgumentException("SoRA needs sparse_lambda >= 0, sparse_lambda_2 >= 0, max_lambda >= 0 "
                    + "and sparse_lr > 0; got " + o);
        }
        if (o.lambdaNum < 1) {
            throw new IllegalArgumentException("SoRA lambda_num must be >= 1, got " + o.lambdaNum);
        }
        if (!LAMBDA_SCHEDULES.contains(o.lambdaSchedule)) {
            throw new IllegalArgumentException("SoRA lambda_schedule must be one of " + LAMBDA_SCHEDULES + ", got \""
                    + o.lambdaSchedule + "\"");
        }
        if (o.lambdaSchedule.equals("exp_linear") && o.lambdaNum > 1 && !(l2 > 0 && o.maxLambda > 0)) {
            throw new IllegalArgumentException("SoRA exp_linear schedule spaces λ₂ geometrically: it needs "
                    + "sparse_lambda_2 > 0 and max_lambda > 0 (use linear or log_linear to start from 0)");
        }
        if (!LR_SCHEDULES.contains(o.sparseLrSchedule)) {
            throw new IllegalArgumentException("SoRA sparse_lr_schedule must be \"trainer\" (follow the trainer's lr "
                    + "schedule, default) or \"constant\", got \"" + o.sparseLrSchedule + "\"");
        }
        return o;
    }

    /** The λ₂ values of the sparsity schedule, first = sparse_lambda_2, last = max_lambda. */
    public double[] lambdaValues() {
        double[] v = new double[lambdaNum];
        for (int i = 0; i < lambdaNum; i++) {
            double f = lambdaNum == 1 ? 0 : (double) i / (lambdaNum - 1);
            switch (lambdaSchedule) {
                case "log_linear":
                    v[i] = Math.log(Math.exp(sparseLambda2) + f * (Math.exp(maxLambda) - Math.exp(sparseLambda2)));
                    break;
                case "exp_linear":
                    v[i] = Math.exp(Math.log(sparseLambda2) + f * (Math.log(maxLambda) - Math.log(sparseLambda2)));
                    break;
                default:
                    v[i] = sparseLambda2 + f * (maxLambda - sparseLambda2);
            }
        }
        return v;
    }

    private static Map<String, Integer> ranks(Object v) {
        Map<String, Integer> out = new LinkedHashMap<>();
        if (v instanceof Map) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (!(e.getValue() instanceof Number) || ((Number) e.getValue()).intValue() < 0) {
                    throw new IllegalArgumentException("SoRA surviving_ranks '" + e.getKey() + "' must be a rank >= 0");
                }
                out.put(e.getKey().toString(), ((Number) e.getValue()).intValue());
            }
        } else if (v != null) {
            throw new IllegalArgumentException("SoRA surviving_ranks must map layer paths to ranks, got " + v);
        }
        return out;
    }
}
