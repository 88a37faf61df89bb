package org.loralab.lora.models;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.List;

/**
 * Children named {@code 0, 1, 2, ...} applied in order: the equivalent of PyTorch's {@code nn.ModuleList}
 * as used by HF's {@code encoder.layer}. (DJL's SequentialBlock names children after their class.)
 */
public final class IndexedBlocks extends AbstractBlock {

    public IndexedBlocks(List<? extends Block> blocks) {
        for (int i = 0; i < blocks.size(); i++) {
            addChildBlock(Integer.toString(i), blocks.get(i));
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = inputs;
        for (Block child : children.values()) {
            x = child.forward(ps, x, training, params);
        }
        return x;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] s = inputShapes;
        for (Block child : children.values()) {
            s = child.getOutputShapes(s);
        }
        return s;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] s = inputShapes;
        for (Block child : children.values()) {
            child.initialize(manager, dataType, s);
            s = child.getOutputShapes(s);
        }
    }
}
