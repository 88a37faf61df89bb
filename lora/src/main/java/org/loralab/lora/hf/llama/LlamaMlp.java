package org.loralab.lora.hf.llama;

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
 * transformers' {@code LlamaMLP}: {@code down_proj(silu(gate_proj(x)) * up_proj(x))}; children {@code gate_proj},
 * {@code up_proj}, {@code down_proj} are DJL {@link Linear} blocks, so adapters can be injected into them.
 */
public final class LlamaMlp extends AbstractBlock {
    private static final int GATE = 0;
    private static final int UP = 1;
    private static final int DOWN = 2;

    private final int hidden;
    private final int intermediate;

    LlamaMlp(LlamaConfig c) {
        hidden = c.hiddenSize();
        intermediate = c.intermediateSize();
        addChildBlock("gate_proj", linear(intermediate, c.mlpBias()));
        addChildBlock("up_proj", linear(intermediate, c.mlpBias()));
        addChildBlock("down_proj", linear(hidden, c.mlpBias()));
    }

    static Linear linear(long units, boolean bias) {
        return Linear.builder().setUnits(units).optBias(bias).build();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = new NDList(inputs.head());
        NDArray gate = children.valueAt(GATE).forward(ps, x, training, params).head();
        NDArray up = children.valueAt(UP).forward(ps, x, training, params).head();
        NDArray act = gate.mul(Activation.sigmoid(gate)).mul(up);
        return children.valueAt(DOWN).forward(ps, new NDList(act), training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        children.valueAt(GATE).initialize(manager, dataType, in);
        children.valueAt(UP).initialize(manager, dataType, in);
        children.valueAt(DOWN).initialize(manager, dataType, in.slice(0, in.dimension() - 1).add(intermediate));
    }
}
