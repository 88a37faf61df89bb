package org.loralab.lora.models;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * transformers' encoder module ({@code ViTEncoder}, {@code BertEncoder}): one child {@code layer} holding the layers
 * {@code 0..N-1}, so paths read {@code encoder.layer.3....}. Inputs pass through unchanged in shape.
 */
public final class LayerEncoder extends AbstractBlock {
    public LayerEncoder(IndexedBlocks layers) {
        addChildBlock("layer", layers);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return children.valueAt(0).forward(ps, inputs, training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        children.valueAt(0).initialize(manager, dataType, inputShapes);
    }
}
