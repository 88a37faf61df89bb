package org.loralab.lora.variant.lycoris;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** "conv" (Conv1d or Conv2d with chosen kernel, stride, padding, groups) → flatten → "lin" Linear(2). */
public final class ConvToy extends AbstractBlock {
    public final Block conv;
    public final Block lin;
    private final int dims;

    private ConvToy(Block conv, int dims) {
        this.conv = addChildBlock("conv", conv);
        this.lin = addChildBlock("lin", Linear.builder().setUnits(2).build());
        this.dims = dims;
    }

    /** Conv2d in→out with a k×k kernel; input [2, in, 6, 6]. */
    public static ConvToy conv2d(NDManager m, int in, int out, int k, int stride, int pad, int groups) {
        return conv2d(m, in, out, k, stride, pad, groups, 1);
    }

    /** As above with a dilation. */
    public static ConvToy conv2d(NDManager m, int in, int out, int k, int stride, int pad, int groups, int dilation) {
        ConvToy t = new ConvToy(Conv2d.builder().setFilters(out).setKernelShape(new Shape(k, k))
                .optStride(new Shape(stride, stride)).optPadding(new Shape(pad, pad))
                .optDilation(new Shape(dilation, dilation)).optGroups(groups).build(), 2);
        t.initialize(m, DataType.FLOAT32, new Shape(2, in, 6, 6));
        return t;
    }

    /** Conv1d in→out with kernel k; input [2, in, 7]. */
    public static ConvToy conv1d(NDManager m, int in, int out, int k, int groups) {
        ConvToy t = new ConvToy(Conv1d.builder().setFilters(out).setKernelShape(new Shape(k)).optGroups(groups).build(), 1);
        t.initialize(m, DataType.FLOAT32, new Shape(2, in, 7));
        return t;
    }

    /** A deterministic input for {@link #conv2d}. */
    public static NDArray input2d(NDManager m, int in) {
        return m.arange(2f * in * 36).reshape(2, in, 6, 6).div(2f * in * 36).sub(0.5f);
    }

    /** A deterministic input for {@link #conv1d}. */
    public static NDArray input1d(NDManager m, int in) {
        return m.arange(2f * in * 7).reshape(2, in, 7).div(2f * in * 7).sub(0.5f);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        NDArray h = conv.forward(ps, in, training, params).head();
        h = h.reshape(h.getShape().get(0), -1);
        return lin.forward(ps, new NDList(h), training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        return new Shape[] {new Shape(in[0].get(0), 2)};
    }

    @Override
    protected void initializeChildBlocks(NDManager m, DataType t, Shape... in) {
        conv.initialize(m, t, in);
        Shape o = conv.getOutputShapes(in)[0];
        lin.initialize(m, t, new Shape(o.get(0), o.size() / o.get(0)));
    }
}
