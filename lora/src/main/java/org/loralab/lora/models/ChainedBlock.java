package org.loralab.lora.models;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;

/**
 * A block whose children run one after another in insertion order: each child's output shapes are the next
 * child's input shapes, for shape inference and for initialisation. Reads the live children list, so a block
 * swapped in by an injector is used.
 */
abstract class ChainedBlock extends AbstractBlock {

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
