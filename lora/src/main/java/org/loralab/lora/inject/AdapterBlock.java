package org.loralab.lora.inject;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Map;

/**
 * Activation-path wrapper put in place of a base layer held in a Block-typed slot. Its child
 * "base_layer" is the untouched base block; adapter tensors are its direct parameters under PEFT's
 * in-memory names ("lora_A.default.weight").
 */
final class AdapterBlock extends AbstractBlock implements ActivationWrapper {
    private static final byte VERSION = 1;

    private final Block base;
    private AdaptedLayer layer;

    AdapterBlock(Block base) {
        super(VERSION);
        this.base = base;
        children.add("base_layer", base);
        inputShapes = base.getInputShapes();
    }

    @Override
    public Block wrapped() {
        return base;
    }

    @Override
    public AdaptedLayer layer() {
        return layer;
    }

    @Override
    public void bind(AdaptedLayer l) {
        this.layer = l;
    }

    @Override
    public Map<String, Parameter> parameterMap() {
        return parameters;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return ActivationWrapper.forward(layer, base, ps, inputs, training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        return base.getOutputShapes(inputs);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
        base.initialize(manager, dataType, shapes);
    }

    @Override
    public void saveParameters(java.io.DataOutputStream os) throws java.io.IOException {
        saveWithDenseBase(() -> super.saveParameters(os));
    }

    @Override
    public void loadParameters(NDManager manager, java.io.DataInputStream is)
            throws java.io.IOException, ai.djl.MalformedModelException {
        loadWithDenseBase(() -> super.loadParameters(manager, is));
    }

    @Override
    public String toString() {
        return "AdapterBlock(" + layer.adapters.keySet() + ", " + base + ")";
    }
}
