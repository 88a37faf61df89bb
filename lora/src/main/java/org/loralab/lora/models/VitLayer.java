package org.loralab.lora.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * HF's {@code ViTLayer} (pre-norm): {@code h = x + attention(layernorm_before(x))},
 * {@code y = h + output(intermediate(layernorm_after(h)))}.
 */
public final class VitLayer extends AbstractBlock {

    private static final int ATTENTION = 0;
    private static final int INTERMEDIATE = 1;
    private static final int OUTPUT = 2;
    private static final int LN_BEFORE = 3;
    private static final int LN_AFTER = 4;

    private final int mlpDim;

    VitLayer(VitConfig c) {
        this.mlpDim = c.mlpDim();
        addChildBlock("attention", new VitAttention(c));
        addChildBlock("intermediate", new VitDense(c.mlpDim(), c.hiddenAct()));
        addChildBlock("output", new VitDense(c.hiddenSize(), HiddenAct.LINEAR));
        addChildBlock("layernorm_before", layerNorm(c));
        addChildBlock("layernorm_after", layerNorm(c));
    }

    static LayerNorm layerNorm(VitConfig c) {
        return LayerNorm.builder().axis(2).optEpsilon(c.layerNormEps()).build();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDList normed = child(LN_BEFORE).forward(ps, inputs, training, params);
        NDArray h = child(ATTENTION).forward(ps, normed, training, params).singletonOrThrow().add(x);
        NDList hn = child(LN_AFTER).forward(ps, new NDList(h), training, params);
        NDList mid = child(INTERMEDIATE).forward(ps, hn, training, params);
        NDArray y = child(OUTPUT).forward(ps, mid, training, params).singletonOrThrow().add(h);
        return new NDList(y);
    }

    private Block child(int index) {
        return children.valueAt(index);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        Shape mid = in.slice(0, in.dimension() - 1).add(mlpDim);
        child(ATTENTION).initialize(manager, dataType, in);
        child(INTERMEDIATE).initialize(manager, dataType, in);
        child(OUTPUT).initialize(manager, dataType, mid);
        child(LN_BEFORE).initialize(manager, dataType, in);
        child(LN_AFTER).initialize(manager, dataType, in);
    }
}
