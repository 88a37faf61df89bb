package org.loralab.lora.hf.bert;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * transformers' {@code RobertaClassificationHead} ({@code classifier}): children {@code dense} and
 * {@code out_proj}; {@code out_proj(tanh(dense(x)))} on the first token's hidden state [B, hidden] (dropout off).
 */
final class RobertaClassificationHead extends AbstractBlock {
    private final int labels;

    RobertaClassificationHead(int hidden, int labels) {
        this.labels = labels;
        addChildBlock("dense", Linear.builder().setUnits(hidden).build());
        addChildBlock("out_proj", Linear.builder().setUnits(labels).build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList h = children.valueAt(0).forward(ps, inputs, training, params);
        return children.valueAt(1).forward(ps, new NDList(h.singletonOrThrow().tanh()), training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), labels)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        children.valueAt(0).initialize(manager, dataType, inputShapes[0]);
        children.valueAt(1).initialize(manager, dataType, inputShapes[0]);
    }
}
