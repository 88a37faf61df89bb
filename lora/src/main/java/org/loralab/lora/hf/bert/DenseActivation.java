package org.loralab.lora.hf.bert;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import org.loralab.lora.models.HiddenAct;

/**
 * One child {@code dense} then an activation: transformers' {@code BertIntermediate} ({@code intermediate},
 * {@code hidden_act}) and the dense + tanh of {@code BertPooler} ({@code pooler}; the caller picks the first token).
 */
final class DenseActivation extends AbstractBlock {
    private final int units;
    private final HiddenAct act;

    DenseActivation(int units, HiddenAct act) {
        this.units = units;
        this.act = act;
        addChildBlock("dense", Linear.builder().setUnits(units).build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList y = children.valueAt(0).forward(ps, new NDList(inputs.get(0)), training, params);
        return new NDList(act.apply(y.singletonOrThrow()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {in.slice(0, in.dimension() - 1).add(units)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        children.valueAt(0).initialize(manager, dataType, inputShapes[0]);
    }
}
