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
 * The post-LN residual step of BERT, transformers' {@code BertSelfOutput} ({@code attention.output}) and
 * {@code BertOutput} ({@code output}): children {@code dense} and {@code LayerNorm}; inputs (y, residual), output
 * {@code LayerNorm(dense(y) + residual)}.
 */
final class DenseAddNorm extends AbstractBlock {
    private final int hidden;

    DenseAddNorm(int hidden, float eps) {
        this.hidden = hidden;
        addChildBlock("dense", Linear.builder().setUnits(hidden).build());
        addChildBlock("LayerNorm", new BertLayerNorm(eps));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray y = children.valueAt(0).forward(ps, new NDList(inputs.get(0)), training, params).singletonOrThrow();
        return children.valueAt(1).forward(ps, new NDList(y.add(inputs.get(1))), training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {in.slice(0, in.dimension() - 1).add(hidden)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        children.valueAt(0).initialize(manager, dataType, inputShapes[0]);
        children.valueAt(1).initialize(manager, dataType, getOutputShapes(inputShapes));
    }
}
