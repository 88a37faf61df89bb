package org.loralab.lora.inject;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
import org.loralab.lora.variant.BaseWeightSource;
import org.loralab.lora.variant.LayerKind;
import org.loralab.lora.variant.lora.Matrices;

/**
 * {@link BaseLayer} over DJL's Linear, Conv1d/2d/3d and Embedding.
 *
 * <p>With a {@link BaseWeightSource} installed, the weight Parameter's NDArray (the same object, so the tree,
 * parameter counts and trainers keep it) is re-pointed at a one-element NaN view broadcast to W's shape: its
 * fp32 storage is freed, and a forward that bypassed the source would give NaN instead of a silently wrong
 * result. The wrappers run the base op with {@link BaseWeightSource#materialize} and densify W only while DJL
 * saves or loads parameters ({@link #withDenseWeight}).
 */
final class DjlBaseLayer implements BaseLayer {
    /** Bytes the weight Parameter still holds while a source is installed: one fp32 element. */
    static final long RELEASED_PARAMETER_BYTES = 4;

    private final Block block;
    private final LayerKind kind;
    private final Parameter weight;
    private final Parameter bias;
    private BaseWeightSource source;

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
        if (source != null) {
            long rows = weightShape().get(0);
            return rows(source.values(), (int) rows);
        }
        return Matrices.read(weight.getArray());
    }

    @Override
    public void setWeightMatrix(float[][] w) {
        if (source == null) {
            Matrices.write(weight.getArray(), w);
            return;
        }
        int cols = w.length == 0 ? 0 : w[0].length;
        if ((long) w.length * cols != weightShape().size()) {
            throw new IllegalArgumentException("weight matrix " + w.length + "x" + cols + " does not fit " + weightShape());
        }
        float[] flat = new float[w.length * cols];
        for (int i = 0; i < w.length; i++) {
            System.arraycopy(w[i], 0, flat, i * cols, cols);
        }
        source.write(flat);
    }

    private static float[][] rows(float[] flat, int rows) {
        int cols = rows == 0 ? 0 : flat.length / rows;
        float[][] m = new float[rows][cols];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(flat, i * cols, m[i], 0, cols);
        }
        return m;
    }

    @Override
    public BaseWeightSource weightSource() {
        return source;
    }

    @Override
    public void setWeightSource(BaseWeightSource s) {
        if (s == source) {
            return;
        }
        if (s == null) {
            densify();
        } else if (source == null) {
            release();
        }
        source = s;
    }

    @Override
    public long residentWeightBytes() {
        return source == null ? BaseLayer.super.residentWeightBytes() : source.residentBytes() + RELEASED_PARAMETER_BYTES;
    }

    /** Frees the Parameter's storage: its array now views one NaN (same NDArray object, same shape and dtype). */
    private void release() {
        NDArray w = weight.getArray();
        NDArray one = w.getManager().full(new Shape(), Float.NaN, w.getDataType());
        NDArray view = one.broadcast(w.getShape());
        one.close(); // the view keeps its one-element storage alive
        w.intern(view);
    }

    /** Puts the source's values back into the Parameter's own (new, dense) storage. */
    private void densify() {
        NDArray w = weight.getArray();
        try (NDManager scratch = w.getManager().newSubManager()) {
            NDArray dense = source.materialize(scratch).toType(w.getDataType(), false);
            w.intern(dense);
        }
    }

    /**
     * Runs a DJL parameter save or load of the blocks holding {@code bases} with every sourced W dense in its
     * Parameter (DJL writes or replaces the Parameter's array), then releases them again. Values a load put in
     * are handed to the source (a quantised base re-quantises them).
     */
    static void withDenseWeights(java.util.Collection<DjlBaseLayer> bases, IoStep step)
            throws java.io.IOException, ai.djl.MalformedModelException {
        java.util.List<DjlBaseLayer> sourced = new java.util.ArrayList<>();
        java.util.List<NDArray> arrays = new java.util.ArrayList<>();
        for (DjlBaseLayer b : bases) {
            if (b.source != null) {
                b.densify();
                sourced.add(b);
                arrays.add(b.weight.getArray());
            }
        }
        try {
            step.run();
        } finally {
            for (int i = 0; i < sourced.size(); i++) {
                sourced.get(i).afterDenseIo(arrays.get(i));
            }
        }
    }

    private void afterDenseIo(NDArray before) {
        NDArray now = weight.getArray();
        if (now != before) {
            before.close(); // DJL's Parameter.load put a new array in without closing the old one
            float[] loaded = now.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
            if (!java.util.Arrays.equals(loaded, source.values())) {
                source.write(loaded);
            }
        }
        release();
    }

    /** One DJL parameter save or load step. */
    @FunctionalInterface
    interface IoStep {
        void run() throws java.io.IOException, ai.djl.MalformedModelException;
    }
}
