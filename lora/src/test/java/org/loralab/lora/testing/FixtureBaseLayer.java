package org.loralab.lora.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;

import org.loralab.lora.variant.BaseLayer;
import org.loralab.lora.variant.LayerKind;

/**
 * A minimal {@link BaseLayer} over given weights (Linear, Conv2d with stride/padding, Embedding), so a
 * variant's layer maths can be tested against {@link Fixture} values without the injector:
 * {@code Variant.createLayer(new LayerSpec(path, "default", config, FixtureBaseLayer.linear(w, b), r, alpha,
 * random), SharedState.NONE)}. Matrix views are not supported.
 */
public final class FixtureBaseLayer implements BaseLayer {

    private final LayerKind kind;
    private final Parameter weight;
    private final Parameter bias;
    private final Shape stride;
    private final Shape padding;

    private FixtureBaseLayer(LayerKind kind, NDArray w, NDArray b, Shape stride, Shape padding) {
        this.kind = kind;
        this.weight = param("weight", w);
        this.bias = b == null ? null : param("bias", b);
        this.stride = stride;
        this.padding = padding;
    }

    public static FixtureBaseLayer linear(NDArray w, NDArray b) {
        return new FixtureBaseLayer(LayerKind.LINEAR, w, b, null, null);
    }

    public static FixtureBaseLayer conv2d(NDArray w, NDArray b, int stride, int padding) {
        return new FixtureBaseLayer(LayerKind.CONV2D, w, b, new Shape(stride, stride), new Shape(padding, padding));
    }

    public static FixtureBaseLayer embedding(NDArray w) {
        return new FixtureBaseLayer(LayerKind.EMBEDDING, w, null, null, null);
    }

    private static Parameter param(String name, NDArray a) {
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).optRequiresGrad(false).build();
        p.setArray(a);
        return p;
    }

    @Override
    public Block block() {
        return null;
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
        return kind == LayerKind.EMBEDDING ? weightShape().get(0) : weightShape().get(1);
    }

    @Override
    public long outFeatures() {
        return kind == LayerKind.EMBEDDING ? weightShape().get(1) : weightShape().get(0);
    }

    @Override
    public Shape kernel() {
        return kind.isConv() ? weightShape().slice(2) : new Shape();
    }

    @Override
    public Shape stride() {
        return stride;
    }

    @Override
    public Shape padding() {
        return padding;
    }

    @Override
    public Shape dilation() {
        return kind.isConv() ? new Shape(1, 1) : null;
    }

    @Override
    public int groups() {
        return 1;
    }

    @Override
    public NDArray apply(NDArray x, NDArray w, NDArray b) {
        return switch (kind) {
            case LINEAR -> b == null ? Linear.linear(x, w).head() : Linear.linear(x, w, b).head();
            case CONV2D -> Conv2d.conv2d(x, w, b, stride, padding, dilation(), 1).head();
            case EMBEDDING -> Embedding.embedding(x, w, SparseFormat.DENSE).head();
            default -> throw new UnsupportedOperationException(kind.toString());
        };
    }

    @Override
    public float[][] weightMatrix() {
        throw new UnsupportedOperationException("FixtureBaseLayer has no matrix view");
    }

    @Override
    public void setWeightMatrix(float[][] w) {
        throw new UnsupportedOperationException("FixtureBaseLayer has no matrix view");
    }
}
