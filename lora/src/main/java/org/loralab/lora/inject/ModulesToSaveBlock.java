package org.loralab.lora.inject;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PEFT's ModulesToSaveWrapper: keeps the original module (frozen) and one trainable deep copy per
 * adapter; the active adapter's copy runs while adapters are enabled.
 */
final class ModulesToSaveBlock extends AbstractBlock implements Wrapper {
    private static final byte VERSION = 1;

    final Block original;
    final Map<String, Block> copies = new LinkedHashMap<>();
    final AdapterState state;

    ModulesToSaveBlock(Block original, AdapterState state) {
        super(VERSION);
        this.original = original;
        this.state = state;
        children.add("original_module", original);
        inputShapes = original.getInputShapes();
    }

    @Override
    public Block wrapped() {
        return original;
    }

    Block addCopy(String adapterName) {
        Block copy = BlockCloner.copy(original);
        copies.put(adapterName, copy);
        children.add("modules_to_save." + adapterName, copy);
        return copy;
    }

    void removeCopy(String adapterName) {
        copies.remove(adapterName);
        children.remove("modules_to_save." + adapterName);
    }

    /** The copy that runs now, or the original. */
    Block current() {
        if (state.enabled) {
            for (String a : state.active) {
                Block c = copies.get(a);
                if (c != null) {
                    return c;
                }
            }
        }
        return original;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return current().forward(ps, inputs, training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        return original.getOutputShapes(in);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
        original.initialize(manager, dataType, shapes);
        for (Block c : copies.values()) {
            c.initialize(manager, dataType, shapes);
        }
    }
}
