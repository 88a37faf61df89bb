package org.loralab.lora.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** HF's {@code ViTSelfAttention}: children {@code query}, {@code key}, {@code value}; multi-head softmax attention. */
public final class VitSelfAttention extends AbstractBlock {

    private static final int QUERY = 0;
    private static final int KEY = 1;
    private static final int VALUE = 2;

    private final int heads;
    private final int hidden;

    VitSelfAttention(int hidden, int heads, boolean qkvBias) {
        this.heads = heads;
        this.hidden = hidden;
        addChildBlock("query", Linear.builder().setUnits(hidden).optBias(qkvBias).build());
        addChildBlock("key", Linear.builder().setUnits(hidden).optBias(qkvBias).build());
        addChildBlock("value", Linear.builder().setUnits(hidden).optBias(qkvBias).build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray q = splitHeads(project(QUERY, ps, inputs, training, params));
        NDArray k = splitHeads(project(KEY, ps, inputs, training, params));
        NDArray v = splitHeads(project(VALUE, ps, inputs, training, params));
        float scale = (float) (1.0 / Math.sqrt(hidden / (double) heads));
        NDArray probs = q.matMul(k.transpose(0, 1, 3, 2)).mul(scale).softmax(-1);
        NDArray context = probs.matMul(v).transpose(0, 2, 1, 3); // [B, T, H, D]
        Shape s = context.getShape();
        return new NDList(context.reshape(s.get(0), s.get(1), hidden));
    }

    private NDArray project(
            int index, ParameterStore ps, NDList x, boolean training, PairList<String, Object> params) {
        Block child = children.valueAt(index);
        return child.forward(ps, x, training, params).singletonOrThrow();
    }

    /** [B, T, hidden] to [B, heads, T, hidden/heads]. */
    private NDArray splitHeads(NDArray x) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), heads, hidden / heads).transpose(0, 2, 1, 3);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Block child : children.values()) {
            child.initialize(manager, dataType, inputShapes);
        }
    }
}
