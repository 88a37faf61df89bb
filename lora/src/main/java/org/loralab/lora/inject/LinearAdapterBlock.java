package org.loralab.lora.inject;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;

/**
 * An {@link AdapterBlock} that is also a {@link Linear}, so it fits parents that keep the layer in a
 * {@code Linear}-typed field (DJL's ScaledDotProductAttentionBlock, most user blocks). The Linear
 * state it inherits is unused: its own weight/bias parameters are dropped, the base Linear is its
 * child "base_layer" and does the base computation.
 */
final class LinearAdapterBlock extends Linear implements ActivationWrapper {
    private final Linear base;
    private AdaptedLayer layer;

    LinearAdapterBlock(Linear base, long units, boolean bias) {
        super(Linear.builder().setUnits(units).optBias(bias));
        this.base = base;
        parameters.clear();
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
    public void prepare(Shape[] shapes) {
        // the base layer owns the weights
    }

    @Override
    protected void beforeInitialize(Shape... shapes) {
        inputShapes = shapes;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
        base.initialize(manager, dataType, shapes);
    }

    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        saveInputShapes(os);
    }

    @Override
    public void loadMetadata(byte loadVersion, DataInputStream is) throws IOException {
        readInputShapes(is);
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
        return "LinearAdapterBlock(" + layer.adapters.keySet() + ", " + base + ")";
    }
}
