package org.loralab.lora.hf.causal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.loss.Loss;

/**
 * Next-token cross-entropy as transformers' causal-LM heads compute it: the logits at position t predict the label
 * at t+1 (logits[:, :-1] against labels[:, 1:]), labels equal to {@link #IGNORE_INDEX} are left out, and the loss is
 * the mean over the remaining tokens of the whole batch (not a mean of row means). Predictions: logits [B, T, V];
 * labels: INT64 [B, T]. A batch without a single learnable token gives NaN, as PyTorch does (0/0).
 */
public final class CausalLmLoss extends Loss {
    public static final long IGNORE_INDEX = -100;

    public CausalLmLoss() {
        super("CausalLmLoss");
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray logits = predictions.head();
        NDArray target = labels.head();
        if (logits.getShape().dimension() != 3 || target.getShape().dimension() != 2
                || logits.getShape().get(0) != target.getShape().get(0)
                || logits.getShape().get(1) != target.getShape().get(1)) {
            throw new IllegalArgumentException("causal-LM loss: expected logits [B, T, vocab] and labels [B, T], got "
                    + logits.getShape() + " and " + target.getShape());
        }
        NDArray shiftLogits = logits.get(new NDIndex(":, :-1, :"));
        NDArray shiftLabels = target.get(new NDIndex(":, 1:")).toType(DataType.INT64, false);
        NDArray keep = shiftLabels.neq(IGNORE_INDEX);
        NDArray safe = shiftLabels.mul(keep.toType(DataType.INT64, false)); // ignored -> class 0, masked out below
        NDArray logProbs = shiftLogits.toType(DataType.FLOAT32, false).logSoftmax(-1);
        NDArray picked = logProbs.gather(safe.expandDims(-1), -1).squeeze(-1);
        NDArray weights = keep.toType(DataType.FLOAT32, false);
        return picked.mul(weights).sum().neg().div(weights.sum());
    }
}
