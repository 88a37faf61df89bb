package org.loralab.lora.variant.lotr;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.convolutional.Conv3d;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Arrays;

/**
 * "conv" (Conv1d, Conv2d or Conv3d with a cubic kernel k, stride, padding, dilation and groups) → flatten →
 * "lin" Linear(2); inputs [2, in, 9], [2, in, 7, 7] or [2, in, 5, 5, 5].
 */
final class ConvKindToy extends AbstractBlock {
    final Convolution conv;
    final Block lin;
    final int dims;
    final int in;

    private ConvKindToy(Convolution conv, int dims, int in) {
        this.conv = addChildBlock("conv", conv);
        this.lin = addChildBlock("lin", Linear.builder().setUnits(2).build());
        this.dims = dims;
        this.in = in;
    }

    /** A {@code dims}-d conv in→out; {@code spec = {k, stride, padding, dilation, groups}}. */
    static ConvKindToy create(NDManager m, int dims, int in, int out, int... spec) {
        Shape k = cube(dims, spec[0]);
        Shape s = cube(dims, spec[1]);
        Shape p = cube(dims, spec[2]);
        Shape d = cube(dims, spec[3]);
        Convolution c;
        switch (dims) {
            case 1:
                c = Conv1d.builder().setFilters(out).setKernelShape(k).optStride(s).optPadding(p).optDilation(d)
                        .optGroups(spec[4]).build();
                break;
            case 2:
                c = Conv2d.builder().setFilters(out).setKernelShape(k).optStride(s).optPadding(p).optDilation(d)
                        .optGroups(spec[4]).build();
                break;
            default:
                c = Conv3d.builder().setFilters(out).setKernelShape(k).optStride(s).optPadding(p).optDilation(d)
                        .optGroups(spec[4]).build();
        }
        ConvKindToy t = new ConvKindToy(c, dims, in);
        t.initialize(m, DataType.FLOAT32, t.inputShape());
        return t;
    }

    Shape inputShape() {
        return new Shape(2, in).addAll(cube(dims, dims == 1 ? 9 : dims == 2 ? 7 : 5));
    }

    /** A deterministic input in [-0.5, 0.5). */
    NDArray input(NDManager m) {
        Shape s = inputShape();
        return m.arange((float) s.size()).reshape(s).div((float) s.size()).sub(0.5f);
    }

    static Shape cube(int dims, long v) {
        long[] a = new long[dims];
        Arrays.fill(a, v);
        return new Shape(a);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList x, boolean training, PairList<String, Object> params) {
        NDArray h = conv.forward(ps, x, training, params).head();
        h = h.reshape(h.getShape().get(0), -1);
        return lin.forward(ps, new NDList(h), training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] shapes) {
        return new Shape[] {new Shape(shapes[0].get(0), 2)};
    }

    @Override
    protected void initializeChildBlocks(NDManager m, DataType t, Shape... shapes) {
        conv.initialize(m, t, shapes);
        Shape o = conv.getOutputShapes(shapes)[0];
        lin.initialize(m, t, new Shape(o.get(0), o.size() / o.get(0)));
    }
}
