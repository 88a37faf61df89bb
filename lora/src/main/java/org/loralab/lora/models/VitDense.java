package org.loralab.lora.models;

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
 * A block whose one child is {@code dense} (a Linear) followed by an activation: HF's {@code ViTSelfOutput}
 * ({@code attention.output}, linear), {@code ViTIntermediate} ({@code intermediate}, {@code hidden_act}),
 * {@code ViTOutput} ({@code output}, linear; the residual is added by {@link VitLayer}) and {@code ViTPooler}
 * ({@code pooler}, tanh).
 */
public final class VitDense extends AbstractBlock {

    private final HiddenAct activation;

    VitDense(long units, HiddenAct activation) {
        this.activation = activation;
        addChildBlock("dense", Linear.builder().setUnits(units).build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList y = children.valueAt(0).forward(ps, inputs, training, params);
        if (activation == HiddenAct.LINEAR) {
            return y;
        }
        NDArray out = activation.apply(y.singletonOrThrow());
        return new NDList(out);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return children.valueAt(0).getOutputShapes(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        children.valueAt(0).initialize(manager, dataType, inputShapes);
    }
}
