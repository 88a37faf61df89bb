package org.loralab.lora.models;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** HF's {@code ViTAttention}: children {@code attention} (self-attention) then {@code output} (its dense). */
public final class VitAttention extends AbstractBlock {

    VitAttention(VitConfig c) {
        addChildBlock("attention", new VitSelfAttention(c.hiddenSize(), c.heads(), c.qkvBias()));
        addChildBlock("output", new VitDense(c.hiddenSize(), HiddenAct.LINEAR));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList context = children.valueAt(0).forward(ps, inputs, training, params);
        return children.valueAt(1).forward(ps, context, training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        children.valueAt(0).initialize(manager, dataType, inputShapes);
        children.valueAt(1).initialize(manager, dataType, inputShapes);
    }
}
