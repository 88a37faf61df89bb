package org.loralab.lora.variant.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.convolutional.Conv3d;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.loralab.lora.config.LoraInit;
import org.loralab.lora.variant.AbstractLayerAdapter;
import org.loralab.lora.variant.AdapterInput;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.BaseLayer;
import org.loralab.lora.variant.LayerKind;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.ParamRole;
import org.loralab.lora.variant.ParamSource;
import org.loralab.lora.variant.WeightMerge;

/**
 * LoRA on one Linear, Conv1d/2d/3d or Embedding layer, with PEFT's shapes, inits, forward and merge
 * (spec §2): Linear A [r,in], B [out,r]; Conv A [r,in,k..] (base kernel, stride, padding; dilation
 * 1, groups 1), B [out,r/g,1..] (groups g); Embedding A [r,V], B [d,r].
 *
 * <p>Subclasses (DoRA) reuse {@link #loraBranch}, {@link #product} and the tensors.
 */
public class LoraLayer extends AbstractLayerAdapter {
    protected final LayerSpec spec;
    protected final LayerKind kind;
    protected final float dropout;
    protected final Parameter loraA;
    protected final Parameter loraB;
    protected final Parameter loraBBias;

    /** Builds and initialises the tensors for {@code spec}. */
    protected LoraLayer(LayerSpec spec) {
        super(spec.base(), spec.r(), spec.alpha(), spec.scaling());
        this.spec = spec;
        this.kind = base.kind();
        this.dropout = (float) spec.dropout();
        int g = base.groups();
        if (kind.isConv() && r % g != 0) {
            throw new IllegalArgumentException("LoRA on grouped conv '" + spec.path() + "' needs r divisible by groups "
                    + g + "; got r=" + r);
        }
        if (kind.isConv() && base.dilation() != null && base.dilation().getShape().length > 0
                && base.dilation().size() != 1) {
            throw new IllegalArgumentException("LoRA on dilated conv '" + spec.path() + "' (dilation " + base.dilation()
                    + ") is not supported: PEFT's lora_A runs at dilation 1, so its output would not match the base output");
        }
        if (spec.config().loraBias() && base.bias() == null && kind != LayerKind.EMBEDDING) {
            throw new IllegalArgumentException("lora_bias needs a base bias; '" + spec.path() + "' has none");
        }
        NDManager m = base.manager();
        boolean emb = kind == LayerKind.EMBEDDING;
        loraA = newParam(emb ? "lora_embedding_A" : "lora_A", m, shapeA());
        loraB = newParam(emb ? "lora_embedding_B" : "lora_B", m, shapeB());
        loraBBias = spec.config().loraBias() && !emb ? newParam("lora_B_bias", m, new Shape(base.outFeatures())) : null;
        initialize(spec.init(), spec.random());
        for (AdapterParam p : parameters()) {
            p.parameter().getArray().setRequiresGradient(p.trainable());
        }
    }

    /** Factory used by {@link LoraVariant}. */
    public static LoraLayer create(LayerSpec spec) {
        return new LoraLayer(spec);
    }

    private static Parameter newParam(String name, NDManager m, Shape shape) {
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
        NDArray a = m.zeros(shape, DataType.FLOAT32);
        p.setArray(a);
        return p;
    }

    /** Shape of A: [r, in] / [r, in, k..] / [r, V]. */
    protected Shape shapeA() {
        if (kind.isConv()) {
            long[] k = base.kernel().getShape();
            long[] s = new long[2 + k.length];
            s[0] = r;
            s[1] = base.inFeatures();
            System.arraycopy(k, 0, s, 2, k.length);
            return new Shape(s);
        }
        return new Shape(r, base.inFeatures());
    }

    /** Shape of B: [out, r] / [out, r/g, 1..] / [d, r]. */
    protected Shape shapeB() {
        if (kind.isConv()) {
            int nk = base.kernel().dimension();
            long[] s = new long[2 + nk];
            s[0] = base.outFeatures();
            s[1] = r / base.groups();
            for (int i = 0; i < nk; i++) {
                s[2 + i] = 1;
            }
            return new Shape(s);
        }
        return new Shape(base.outFeatures(), r);
    }

    // ---------------------------------------------------------------- init

    private void initialize(LoraInit init, Random rnd) {
        String family = init.family();
        boolean emb = kind == LayerKind.EMBEDDING;
        switch (family) {
            case "true":
                if (emb) {
                    fillNormal(loraB, rnd, 1.0);
                } else {
                    fillUniform(loraA, rnd, 1.0 / Math.sqrt(fanIn(loraA)));
                }
                return;
            case "gaussian":
                if (emb) {
                    fillNormal(loraB, rnd, 1.0);
                } else {
                    fillNormal(loraA, rnd, 1.0 / r);
                }
                return;
            case "false":
                if (emb) {
                    fillNormal(loraA, rnd, 1.0);
                    fillNormal(loraB, rnd, 1.0);
                } else {
                    fillUniform(loraA, rnd, 1.0 / Math.sqrt(fanIn(loraA)));
                    fillUniform(loraB, rnd, 1.0 / Math.sqrt(fanIn(loraB)));
                    if (loraBBias != null) {
                        fillUniform(loraBBias, rnd, 1.0 / Math.sqrt(fanIn(loraB)));
                    }
                }
                return;
            default:
                LoraInitializer custom = LoraInits.find(family);
                if (custom == null || !custom.supports(kind)) {
                    throw new IllegalArgumentException("Unknown initialization '" + init + "' for " + kind + " layer '"
                            + spec.path() + "'; available: true, false, gaussian"
                            + (LoraInits.families().isEmpty() ? "" : ", " + String.join(", ", LoraInits.families())));
                }
                custom.initialize(init, new Ctx(rnd));
        }
    }

    private static long fanIn(Parameter p) {
        Shape s = p.getArray().getShape();
        return s.size() / s.get(0);
    }

    private static void fillUniform(Parameter p, Random rnd, double bound) {
        NDArray a = p.getArray();
        float[] v = new float[(int) a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
        a.set(v);
    }

    private static void fillNormal(Parameter p, Random rnd, double std) {
        NDArray a = p.getArray();
        float[] v = new float[(int) a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * std);
        }
        a.set(v);
    }

    /** The context custom initializers see: A as [r, in] (conv flattened), B as [out, r]. */
    private final class Ctx implements LoraInitContext {
        private final Random rnd;

        Ctx(Random rnd) {
            this.rnd = rnd;
        }

        @Override
        public BaseLayer base() {
            return base;
        }

        @Override
        public int r() {
            return r;
        }

        @Override
        public double scaling() {
            return scaling;
        }

        @Override
        public Random random() {
            return rnd;
        }

        @Override
        public org.loralab.lora.config.AdapterConfig config() {
            return spec.config();
        }

        @Override
        public void setA(float[][] a) {
            Matrices.write(loraA.getArray(), a);
        }

        @Override
        public void setB(float[][] b) {
            Matrices.write(loraB.getArray(), b);
        }

        @Override
        public float[][] a() {
            return Matrices.read(loraA.getArray(), r);
        }

        @Override
        public float[][] b() {
            return Matrices.read(loraB.getArray(), base.outFeatures() == 0 ? 0 : (int) base.outFeatures());
        }
    }

    // ---------------------------------------------------------------- maths

    /**
     * The LoRA term {@code s * B(A(dropout(x)))} (Linear/Conv; lora_B bias included before s) or
     * {@code s * Emb(x; A^T) B^T} (Embedding, no dropout).
     */
    protected NDArray loraBranch(NDArray x, ParamSource ps, boolean training) {
        return kind == LayerKind.EMBEDDING ? branch(x, ps) : branch(dropout(x, training), ps);
    }

    /** This layer's input dropout (identity when p = 0 or not training). DoRA applies it once for both terms. */
    protected NDArray dropout(NDArray x, boolean training) {
        return dropout > 0 && training ? Dropout.dropout(x, dropout, true).head() : x;
    }

    /** {@code s * B(A(in))} on an input that already went through dropout (Embedding: a lookup). */
    protected NDArray branch(NDArray in, ParamSource ps) {
        NDArray a = ps.value(loraA);
        NDArray b = ps.value(loraB);
        if (kind == LayerKind.EMBEDDING) {
            NDArray h = Embedding.embedding(in, a.transpose(), SparseFormat.DENSE).head();
            return h.matMul(b.transpose()).mul(scaling);
        }
        NDArray bias = loraBBias == null ? null : ps.value(loraBBias);
        NDArray h;
        NDArray y;
        switch (kind) {
            case LINEAR:
                h = Linear.linear(in, a).head();
                if (bias == null) {
                    // s applied to the [N, r] intermediate, not the [N, out] result: one allocation and one
                    // pass over the output less (the output side is what costs at small hidden sizes)
                    return Linear.linear(h.mul(scaling), b).head();
                }
                y = Linear.linear(h, b, bias).head();
                break;
            case CONV1D:
                h = Conv1d.conv1d(in, a, null, base.stride(), base.padding(), ones(1), 1).head();
                y = Conv1d.conv1d(h, b, bias, ones(1), zeros(1), ones(1), base.groups()).head();
                break;
            case CONV2D:
                h = Conv2d.conv2d(in, a, null, base.stride(), base.padding(), ones(2), 1).head();
                y = Conv2d.conv2d(h, b, bias, ones(2), zeros(2), ones(2), base.groups()).head();
                break;
            case CONV3D:
                h = Conv3d.conv3d(in, a, null, base.stride(), base.padding(), ones(3), 1).head();
                y = Conv3d.conv3d(h, b, bias, ones(3), zeros(3), ones(3), base.groups()).head();
                break;
            default:
                throw new IllegalStateException(kind.toString());
        }
        return y.mul(scaling);
    }

    private static Shape ones(int n) {
        long[] s = new long[n];
        java.util.Arrays.fill(s, 1);
        return new Shape(s);
    }

    private static Shape zeros(int n) {
        return new Shape(new long[n]);
    }

    /**
     * {@code B @ A} in the base weight's layout, without scaling: [out,in], [out,in,k..] or,
     * for Embedding, {@code (B @ A)^T} = [V, d].
     *
     * @throws UnsupportedOperationException for grouped conv (PEFT cannot merge it either)
     */
    public NDArray product(ParamSource ps) {
        NDArray a = ps.value(loraA);
        NDArray b = ps.value(loraB);
        switch (kind) {
            case LINEAR:
                return b.matMul(a);
            case EMBEDDING:
                return b.matMul(a).transpose();
            default:
                if (base.groups() != 1) {
                    throw new UnsupportedOperationException("LoRA on grouped conv '" + spec.path()
                            + "' (groups=" + base.groups() + ") cannot be merged, as in PEFT");
                }
                Shape as = a.getShape();
                NDArray a2 = a.reshape(r, as.size() / r);
                NDArray b2 = b.reshape(base.outFeatures(), r);
                long[] ws = as.getShape().clone();
                ws[0] = base.outFeatures();
                return b2.matMul(a2).reshape(new Shape(ws));
        }
    }

    @Override
    public NDArray forward(AdapterInput in) {
        return loraBranch(in.x(), in.params(), in.training());
    }

    @Override
    public NDArray deltaWeight(ParamSource ps) {
        return product(ps).mul(scaling);
    }

    @Override
    public NDArray effectiveBias(NDArray b, ParamSource ps) {
        if (loraBBias == null) {
            return b;
        }
        NDArray add = ps.value(loraBBias).mul(scaling);
        return b.add(add.getDataType() == b.getDataType() ? add : add.toType(b.getDataType(), false));
    }

    @Override
    public boolean weightPathExact() {
        return dropout == 0;
    }

    @Override
    public void merge() {
        apply(1);
    }

    @Override
    public void unmerge() {
        apply(-1);
    }

    /** W += sign * ΔW in place (and the lora_B bias into the base bias), temporaries freed. */
    private void apply(int sign) {
        WeightMerge.apply(this, sign);
        if (loraBBias == null) {
            return;
        }
        try (NDScope scope = new NDScope()) {
            NDArray bb = loraBBias.getArray().mul(scaling * sign);
            NDArray bias = base.bias().getArray();
            bias.addi(bb.getDataType() == bias.getDataType() ? bb : bb.toType(bias.getDataType(), false));
        }
    }

    // ---------------------------------------------------------------- accessors

    @Override
    public String variant() {
        return "lora";
    }

    /** lora_A (or lora_embedding_A). */
    public Parameter loraA() {
        return loraA;
    }

    /** lora_B (or lora_embedding_B). */
    public Parameter loraB() {
        return loraB;
    }

    /** lora_B's bias, or null. */
    public Parameter loraBBias() {
        return loraBBias;
    }

    /** The dropout probability on the adapter input. */
    public float dropoutRate() {
        return dropout;
    }

    @Override
    public List<AdapterParam> parameters() {
        List<AdapterParam> out = new ArrayList<>();
        if (kind == LayerKind.EMBEDDING) {
            out.add(new AdapterParam("lora_embedding_A", loraA, ParamRole.EMBEDDING_A, true));
            out.add(new AdapterParam("lora_embedding_B", loraB, ParamRole.EMBEDDING_B, true));
        } else {
            out.add(new AdapterParam("lora_A.weight", loraA, ParamRole.LORA_A, true));
            out.add(new AdapterParam("lora_B.weight", loraB, ParamRole.LORA_B, true));
            if (loraBBias != null) {
                out.add(new AdapterParam("lora_B.bias", loraBBias, ParamRole.LORA_BIAS, true));
            }
        }
        return out;
    }

    @Override
    public void close() {
        loraA.close();
        loraB.close();
        if (loraBBias != null) {
            loraBBias.close();
        }
    }
}
