package org.loralab.lora.hf.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * transformers' {@code BertSelfAttention} with absolute positions: children {@code query}, {@code key},
 * {@code value}. Inputs: hidden states [B, T, hidden] and the additive key mask [B, 1, 1, T] (0 for a token, the
 * dtype's lowest value for padding). Output: the heads' context [B, T, hidden].
 */
final class BertSelfAttention extends AbstractBlock {
    private final int hidden;
    private final int heads;

    BertSelfAttention(int hidden, int heads) {
        this.hidden = hidden;
        this.heads = heads;
        for (String name : new String[] {"query", "key", "value"}) {
            addChildBlock(name, Linear.builder().setUnits(hidden).build());
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = new NDList(inputs.get(0));
        NDArray q = splitHeads(children.valueAt(0).forward(ps, x, training, params).singletonOrThrow());
        NDArray k = splitHeads(children.valueAt(1).forward(ps, x, training, params).singletonOrThrow());
        NDArray v = splitHeads(children.valueAt(2).forward(ps, x, training, params).singletonOrThrow());
        float scale = (float) (1.0 / Math.sqrt(hidden / (double) heads));
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).mul(scale).add(inputs.get(1));
        NDArray context = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3);
        Shape s = context.getShape();
        return new NDList(context.reshape(s.get(0), s.get(1), hidden));
    }

    /** [B, T, hidden] to [B, heads, T, hidden/heads]. */
    private NDArray splitHeads(NDArray x) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), heads, hidden / heads).transpose(0, 2, 1, 3);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (int i = 0; i < 3; i++) {
            children.valueAt(i).initialize(manager, dataType, inputShapes[0]);
        }
    }
}
