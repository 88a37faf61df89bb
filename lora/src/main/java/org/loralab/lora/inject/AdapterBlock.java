package org.loralab.lora.inject;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;
import org.loralab.lora.variant.AdapterInput;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.LayerAdapter;
import org.loralab.lora.variant.LayerKind;
import org.loralab.lora.variant.ParamSource;

/**
 * Activation-path wrapper put in place of a base layer: {@code y = base(x) + Σ adapter(x)} over the
 * running adapters. Its child "base_layer" is the untouched base block; adapter tensors are its
 * direct parameters under PEFT's in-memory names ("lora_A.default.weight").
 */
final class AdapterBlock extends AbstractBlock implements Wrapper {
    private static final byte VERSION = 1;

    final Block base;
    AdaptedLayer layer;

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

    void addParams(String adapterName, List<AdapterParam> params) {
        for (AdapterParam p : params) {
            parameters.put(p.inMemoryKey(adapterName), p.parameter());
        }
    }

    void removeParams(String adapterName, List<AdapterParam> params) {
        for (AdapterParam p : params) {
            parameters.remove(p.inMemoryKey(adapterName));
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList out = base.forward(ps, inputs, training, params);
        List<LayerAdapter> run = layer.running();
        if (run.isEmpty()) {
            return out;
        }
        NDArray x = inputs.head();
        Device device = x.getDevice();
        ParamSource src = p -> ps.getValue(p, device, training);
        NDArray baseOut = out.head();
        DataType outType = baseOut.getDataType();
        if (layer.base.kind() != LayerKind.EMBEDDING && x.getDataType() != DataType.FLOAT32) {
            x = x.toType(DataType.FLOAT32, false);
        }
        NDArray y = baseOut;
        for (LayerAdapter a : run) {
            NDArray d = a.forward(new AdapterInput(x, baseOut, training, src));
            y = y.add(d.getDataType() == outType ? d : d.toType(outType, false));
        }
        NDList res = new NDList(out.size());
        res.add(y);
        for (int i = 1; i < out.size(); i++) {
            res.add(out.get(i));
        }
        return res;
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
    public String toString() {
        return "AdapterBlock(" + layer.adapters.keySet() + ", " + base + ")";
    }

    /** Parameters for the counting helpers. */
    Iterable<Parameter> adapterParameters() {
        return parameters.values();
    }
}
