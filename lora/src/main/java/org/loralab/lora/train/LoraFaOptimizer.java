package org.loralab.lora.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.loralab.lora.variant.ParamRole;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * LoRA-FA (variants spec §8, PEFT {@code LoraFAOptimizer}): every lora_A is frozen; each lora_B's gradient is
 * preconditioned as {@code (1/s^2) g_B pinv(A A^T + 1e-8 I)} before an "adamw-hf" update (bias-corrected, eps 1e-6,
 * decoupled weight decay applied after the step). Other trainable parameters get the same adamw-hf update.
 *
 * <p>PEFT computes the preconditioned gradient in bfloat16 where available; this computes it in float32 (the pinv
 * in double), so parity with PEFT on bf16 machines is approximate.
 */
public final class LoraFaOptimizer extends Optimizer {
    static final double BETA1 = 0.9;
    static final double BETA2 = 0.999;
    static final double EPS = 1e-6;

    /** A lora_B with its frozen lora_A and its layer's scaling (alpha/r, or alpha/sqrt(r) for rsLoRA). */
    public record FaPair(String bName, Parameter a, Parameter b, double scaling) {}

    private final double lr;
    private final double weightDecay;
    private final Map<String, FaPair> pairByBId = new HashMap<>();
    private final Map<String, NDArray[]> state = new HashMap<>();
    private final Map<String, Integer> steps = new HashMap<>();
    private double factor = 1.0;

    private LoraFaOptimizer(double lr, double weightDecay, List<FaPair> pairs) {
        super(new Builder());
        this.lr = lr;
        this.weightDecay = weightDecay;
        for (FaPair p : pairs) {
            pairByBId.put(p.b().getId(), p);
        }
    }

    /**
     * Freezes every lora_A of {@code params} and pairs each lora_B with the A of the same layer (its name with
     * lora_B replaced by lora_A); each B's scaling comes from its {@link ParamInfo}.
     */
    public static LoraFaOptimizer create(List<ParamInfo> params, double lr, double weightDecay) {
        Map<String, Parameter> aByName = new HashMap<>();
        List<ParamInfo> bs = new ArrayList<>();
        for (ParamInfo p : params) {
            if (p.role() == ParamRole.LORA_A) {
                aByName.put(p.name(), p.parameter());
                p.parameter().freeze(true);
            } else if (p.role() == ParamRole.LORA_B) {
                bs.add(p);
            }
        }
        if (bs.isEmpty()) {
            throw new IllegalArgumentException(
                    "LoRA-FA needs a LoRA-adapted model: no lora_B parameters found (inject an adapter first)");
        }
        List<FaPair> pairs = new ArrayList<>();
        for (ParamInfo b : bs) {
            String aName = b.name().replace("lora_B", "lora_A").replace("lora_b", "lora_a");
            Parameter a = aByName.get(aName);
            if (a == null) {
                throw new IllegalArgumentException("LoRA-FA: no lora_A found for " + b.name());
            }
            if (!(b.scaling() > 0)) {
                throw new IllegalArgumentException("LoRA-FA needs the layer scaling of " + b.name()
                        + ": fit an AdaptedModel (or pass ParamInfo with scaling)");
            }
            pairs.add(new FaPair(b.name(), a, b.parameter(), b.scaling()));
        }
        return new LoraFaOptimizer(lr, weightDecay, pairs);
    }

    public void setScheduleFactor(double factor) {
        this.factor = factor;
    }

    /** The (A, B, scaling) pairs, for inspection and tests. */
    public List<FaPair> pairs() {
        return List.copyOf(pairByBId.values());
    }

    @Override
    public void update(String parameterId, NDArray param, NDArray grad) {
        double stepLr = lr * factor;
        try (NDManager scope = param.getManager().newSubManager()) {
            NDArray weight = GroupedOptimizer.writable(scope, param);
            NDArray g = GroupedOptimizer.own(scope, grad.duplicate());
            FaPair pair = pairByBId.get(parameterId);
            if (pair != null) {
                NDArray p = scope.create(precondition(pair.a().getArray()), new Shape(
                        pair.a().getShape().get(0), pair.a().getShape().get(0)));
                p = GroupedOptimizer.own(scope, p.toDevice(g.getDevice(), false));
                double s = pair.scaling();
                g = GroupedOptimizer.own(scope, g.matMul(p)).muli(1.0 / (s * s));
            }
            String key = parameterId + "@" + param.getDevice(); // one state per device copy
            NDArray[] mv = state.computeIfAbsent(key, k -> new NDArray[] {param.zerosLike(), param.zerosLike()});
            int t = steps.merge(key, 1, Integer::sum);
            mv[0].muli(BETA1).addi(g.mul(1 - BETA1));
            mv[1].muli(BETA2).addi(g.square().muli(1 - BETA2));
            double stepSize = stepLr * Math.sqrt(1 - Math.pow(BETA2, t)) / (1 - Math.pow(BETA1, t));
            NDArray denom = GroupedOptimizer.own(scope, mv[1].sqrt()).addi(EPS);
            weight.subi(GroupedOptimizer.own(scope, mv[0].div(denom)).muli(stepSize));
            if (weightDecay > 0) {
                weight.subi(GroupedOptimizer.own(scope, weight.mul(stepLr * weightDecay)));
            }
        }
    }

    /** pinv(A A^T + 1e-8 I) for A of shape [r, in], as float32 row-major [r, r]. */
    static float[] precondition(NDArray a) {
        long r = a.getShape().get(0);
        long in = a.getShape().get(1);
        float[] af = a.toFloatArray();
        DMatrixRMaj am = new DMatrixRMaj((int) r, (int) in);
        for (int i = 0; i < af.length; i++) {
            am.data[i] = af[i];
        }
        DMatrixRMaj m = new DMatrixRMaj((int) r, (int) r);
        CommonOps_DDRM.multTransB(am, am, m);
        for (int i = 0; i < r; i++) {
            m.add(i, i, 1e-8);
        }
        DMatrixRMaj pinv = new DMatrixRMaj((int) r, (int) r);
        CommonOps_DDRM.pinv(m, pinv);
        float[] out = new float[(int) (r * r)];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) pinv.data[i];
        }
        return out;
    }

    private static final class Builder extends OptimizerBuilder<Builder> {
        @Override
        protected Builder self() {
            return this;
        }
    }
}
