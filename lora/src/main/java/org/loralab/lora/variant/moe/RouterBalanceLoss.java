package org.loralab.lora.variant.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.loralab.lora.variant.ParamSource;
import org.loralab.lora.variant.SharedState;
import org.loralab.lora.variant.StepInfo;

/**
 * The mixture's optional load-balancing term (option {@code balance_loss_coef}, default 0: off),
 * added by the training loop through {@link #extraLoss}. For each adapted layer in the step's
 * training forward, with router probabilities {@code P = softmax(logits)} over all r experts and
 * {@code f_i} the fraction of tokens whose kept set contains expert i, the term is
 * {@code coef · r · Σ_i f_i · mean(P_i)} (Switch-Transformer style; it is smallest when tokens spread
 * evenly). The spec does not fix SMoRA's exact balancing loss, so this is an explicit, opt-in choice.
 */
final class RouterBalanceLoss implements SharedState {
    private final double coef;
    private static final int MAX_PENDING = 1024;
    private final List<NDArray> terms = new ArrayList<>();

    RouterBalanceLoss(double coef) {
        this.coef = coef;
    }

    boolean enabled() {
        return coef > 0;
    }

    /** Records one layer's term from a training forward: logits [..., r] and the kept mask [..., r]. */
    void record(NDArray logits, NDArray keptMask) {
        if (terms.size() >= MAX_PENDING) {
            terms.clear(); // a loop that never asks for extraLoss must not keep every step's graph alive
        }
        long r = logits.getShape().get(logits.getShape().dimension() - 1);
        NDArray p = logits.softmax(-1).reshape(-1, r);
        NDArray f = keptMask.reshape(-1, r).mean(new int[] {0});
        terms.add(p.mean(new int[] {0}).mul(f).sum().mul((float) r)); // float scalars: a 0-dim result would promote to float64
    }

    @Override
    public void beforeStep(StepInfo step) {
        terms.clear();
    }

    @Override
    public NDArray extraLoss(ParamSource params, NDManager manager) {
        if (terms.isEmpty()) {
            return null;
        }
        NDArray total = terms.get(0);
        for (int i = 1; i < terms.size(); i++) {
            total = total.add(terms.get(i));
        }
        terms.clear();
        return total.mul((float) coef);
    }
}
