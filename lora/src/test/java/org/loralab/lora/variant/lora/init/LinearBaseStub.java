package org.loralab.lora.variant.lora.init;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import java.util.Random;
import org.loralab.lora.variant.BaseLayer;
import org.loralab.lora.variant.LayerKind;
import org.loralab.lora.variant.lora.Matrices;

/**
 * A Linear {@link BaseLayer} over plain parameters, so initialisers and variant layers can be tested without the
 * injector. W [out, in] ~ N(0, 1/in) from a seed, bias ~ N(0, 0.1).
 */
public final class LinearBaseStub implements BaseLayer {
    private final Parameter weight;
    private final Parameter bias;
    private final long in;
    private final long out;

    public LinearBaseStub(NDManager manager, int in, int out, long seed) {
        this.in = in;
        this.out = out;
        Random rnd = new Random(seed);
        float[] w = new float[in * out];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (rnd.nextGaussian() / Math.sqrt(in));
        }
        float[] b = new float[out];
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) (rnd.nextGaussian() * 0.1);
        }
        weight = Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT).build();
        weight.setArray(manager.create(w, new Shape(out, in)));
        bias = Parameter.builder().setName("bias").setType(Parameter.Type.BIAS).build();
        bias.setArray(manager.create(b, new Shape(out)));
    }

    @Override
    public Block block() {
        return null;
    }

    @Override
    public LayerKind kind() {
        return LayerKind.LINEAR;
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
        return in;
    }

    @Override
    public long outFeatures() {
        return out;
    }

    @Override
    public Shape kernel() {
        return new Shape();
    }

    @Override
    public Shape stride() {
        return null;
    }

    @Override
    public Shape padding() {
        return null;
    }

    @Override
    public Shape dilation() {
        return null;
    }

    @Override
    public int groups() {
        return 1;
    }

    @Override
    public NDArray apply(NDArray x, NDArray w, NDArray b) {
        return b == null ? Linear.linear(x, w).head() : Linear.linear(x, w, b).head();
    }

    /** The base op with the current weight and bias. */
    public NDArray forward(NDArray x) {
        return apply(x, weight.getArray(), bias.getArray());
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
