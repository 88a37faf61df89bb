package org.loralab.lora.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A block whose one child is {@code dense} (a Linear), optionally followed by GELU: HF's
 * {@code ViTSelfOutput} ({@code attention.output}), {@code ViTIntermediate} ({@code intermediate}, with GELU)
 * and {@code ViTOutput} ({@code output}; the residual is added by {@link VitLayer}).
 */
public final class VitDense extends AbstractBlock {

    private final boolean gelu;

    VitDense(long units, boolean gelu) {
        this.gelu = gelu;
        addChildBlock("dense", Linear.builder().setUnits(units).build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList y = children.valueAt(0).forward(ps, inputs, training, params);
        if (!gelu) {
            return y;
        }
        NDArray out = Activation.gelu(y.singletonOrThrow()); // exact (erf) GELU, as HF "gelu"
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
