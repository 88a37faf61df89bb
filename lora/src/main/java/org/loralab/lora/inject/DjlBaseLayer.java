package org.loralab.lora.inject;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.convolutional.Conv3d;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import org.loralab.lora.variant.BaseLayer;
import org.loralab.lora.variant.LayerKind;
import org.loralab.lora.variant.lora.Matrices;

/** {@link BaseLayer} over DJL's Linear, Conv1d/2d/3d and Embedding. */
final class DjlBaseLayer implements BaseLayer {
    private final Block block;
    private final LayerKind kind;
    private final Parameter weight;
    private final Parameter bias;

    private DjlBaseLayer(Block block, LayerKind kind, Parameter weight, Parameter bias) {
        this.block = block;
        this.kind = kind;
        this.weight = weight;
        this.bias = bias;
    }

    /** The kind of a DJL block, or null when no adapter can wrap it. */
    static LayerKind kindOf(Block b) {
        if (b instanceof Linear) {
            return LayerKind.LINEAR;
        }
        if (b instanceof Conv2d) {
            return LayerKind.CONV2D;
        }
        if (b instanceof Conv1d) {
            return LayerKind.CONV1D;
        }
        if (b instanceof Conv3d) {
            return LayerKind.CONV3D;
        }
        if (b instanceof Embedding) {
            return LayerKind.EMBEDDING;
        }
        return null;
    }

    /** Wraps {@code b}; fails when it is not a supported kind or has no weight yet. */
    static DjlBaseLayer of(Block b, String path) {
        LayerKind kind = kindOf(b);
        if (kind == null) {
            throw new IllegalArgumentException("'" + path + "' is a " + b.getClass().getSimpleName()
                    + "; adapters wrap Linear, Conv1d/2d/3d and Embedding");
        }
        Parameter w = b.getDirectParameters().get(kind == LayerKind.EMBEDDING ? "embedding" : "weight");
        Parameter bias = kind == LayerKind.EMBEDDING ? null : b.getDirectParameters().get("bias");
        if (w == null || !w.isInitialized()) {
            throw new IllegalArgumentException("'" + path + "' has no weight yet: initialize the model "
                    + "(block.initialize(manager, DataType.FLOAT32, inputShape)) or load its parameters before injecting");
        }
        if (bias != null && !bias.isInitialized()) {
            bias = null;
        }
        return new DjlBaseLayer(b, kind, w, bias);
    }

    @Override
    public Block block() {
        return block;
    }

    @Override
    public LayerKind kind() {
        return kind;
    }

    @Override
    public Parameter weight() {
        return weight;
    }

    @Override
    public Parameter bias() {
        return bias;
    }

    @Override
    public long inFeatures() {
        Shape s = weightShape();
        return kind == LayerKind.EMBEDDING ? s.get(0) : s.get(1) * groups();
    }

    @Override
    public long outFeatures() {
        Shape s = weightShape();
        return kind == LayerKind.EMBEDDING ? s.get(1) : s.get(0);
    }

    @Override
    public Shape kernel() {
        return kind.isConv() ? ((Convolution) block).getKernelShape() : new Shape();
    }

    @Override
    public Shape stride() {
        return kind.isConv() ? ((Convolution) block).getStride() : null;
    }

    @Override
    public Shape padding() {
        return kind.isConv() ? ((Convolution) block).getPadding() : null;
    }

    @Override
    public Shape dilation() {
        return kind.isConv() ? ((Convolution) block).getDilation() : null;
    }

    @Override
    public int groups() {
        return kind.isConv() ? ((Convolution) block).getGroups() : 1;
    }

    @Override
    public NDArray apply(NDArray x, NDArray w, NDArray b) {
        switch (kind) {
            case LINEAR:
                return (b == null ? Linear.linear(x, w) : Linear.linear(x, w, b)).head();
            case CONV1D:
                return Conv1d.conv1d(x, w, b, stride(), padding(), dilation(), groups()).head();
            case CONV2D:
                return Conv2d.conv2d(x, w, b, stride(), padding(), dilation(), groups()).head();
            case CONV3D:
                return Conv3d.conv3d(x, w, b, stride(), padding(), dilation(), groups()).head();
            case EMBEDDING:
                return Embedding.embedding(x, w, SparseFormat.DENSE).head();
            default:
                throw new IllegalStateException(kind.toString());
        }
    }

    @Override
    public float[][] weightMatrix() {
        return Matrices.read(weight.getArray());
    }

    @Override
    public void setWeightMatrix(float[][] w) {
        Matrices.write(weight.getArray(), w);
    }
}
