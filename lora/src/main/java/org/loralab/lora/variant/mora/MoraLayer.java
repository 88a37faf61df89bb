package org.loralab.lora.variant.mora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.Dropout;
import java.util.List;
import org.loralab.lora.variant.AdapterInput;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.BaseLayer;
import org.loralab.lora.variant.LayerAdapter;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.ParamRole;
import org.loralab.lora.variant.ParamSource;
import org.loralab.lora.variant.lycoris.ParamInit;

/**
 * MoRA on one Linear (spec §17): one trainable square matrix M [r̂, r̂] (saved as
 * {@code lora_A.weight}, as the reference stores it), zero at init, between fixed compression and
 * decompression operators ({@link MoraOperators}): {@code y = base(x) + s · D(M · C(drop(x)))} with
 * s = 1 (lora_alpha is ignored, as in the reference). Merge adds the materialised ΔW = s·D·M·C.
 */
public final class MoraLayer implements LayerAdapter {
    private final BaseLayer base;
    private final int rank;
    private final int rh;
    private final int chunks;
    private final int type;
    private final float dropout;
    private final double alpha;
    private double scaling = 1.0;
    private final Parameter m;
    private final NDArray compT;
    private final NDArray decompT;

    MoraLayer(LayerSpec spec) {
        this.base = spec.base();
        this.rank = spec.r();
        this.alpha = spec.alpha();
        this.type = (int) spec.config().optionLong(MoraVariant.MORA_TYPE, 1);
        this.dropout = (float) spec.dropout();
        int in = (int) base.inFeatures();
        int out = (int) base.outFeatures();
        this.rh = MoraOperators.squareSize(in, out, rank, type);
        if (rh < 2) {
            throw new IllegalArgumentException("MoRA on '" + spec.path() + "' gives a square size " + rh
                    + "; use a larger r");
        }
        this.chunks = MoraOperators.chunks(in, rh, type);
        this.m = ParamInit.zeros("lora_A", base.manager(), new Shape(rh, rh));
        String init = spec.init().family();
        if (init.equals("false")) {
            ParamInit.kaimingUniform(m, spec.random());
        } else if (!init.equals("true")) {
            throw new IllegalArgumentException("MoRA init must be true (M = 0) or false (random M, for tests), got '"
                    + init + "'");
        }
        m.getArray().setRequiresGradient(true);
        int width = chunks * rh;
        this.compT = transposed(base.manager().create(MoraOperators.compression(in, rh, type), new Shape(width, in)));
        this.decompT = transposed(base.manager().create(MoraOperators.decompression(out, width, type), new Shape(out, width)));
        compT.setName("mora_compression");
        decompT.setName("mora_decompression");
    }

    private static NDArray transposed(NDArray a) {
        NDArray t = a.transpose().duplicate();
        a.close();
        return t;
    }

    @Override
    public NDArray forward(AdapterInput in) {
        NDArray x = in.x();
        if (dropout > 0) {
            x = Dropout.dropout(x, dropout, in.training()).head();
        }
        Shape lead = x.getShape().slice(0, x.getShape().dimension() - 1);
        NDArray u = x.matMul(compT).reshape(lead.addAll(new Shape(chunks, rh)));
        NDArray v = u.matMul(in.params().value(m).transpose()).reshape(lead.add(chunks * (long) rh));
        return v.matMul(decompT).mul(scaling);
    }

    @Override
    public NDArray deltaWeight(ParamSource ps) {
        long in = base.inFeatures();
        NDArray blocks = ps.value(m).matMul(compT.transpose().reshape(chunks, rh, in)).reshape(chunks * (long) rh, in);
        return decompT.transpose().matMul(blocks).mul(scaling);
    }

    @Override
    public boolean weightPathExact() {
        return dropout == 0;
    }

    /** r̂, the side of the square matrix. */
    public int squareSize() {
        return rh;
    }

    /** The MoRA type (1, 2, 3, 4 or 6). */
    public int type() {
        return type;
    }

    @Override
    public BaseLayer base() {
        return base;
    }

    @Override
    public String variant() {
        return "mora";
    }

    /** r̂ (the update's rank can reach it), not the LoRA-equivalent r of the config. */
    @Override
    public int rank() {
        return rh;
    }

    @Override
    public double alpha() {
        return alpha;
    }

    @Override
    public double scaling() {
        return scaling;
    }

    @Override
    public void setScaling(double s) {
        this.scaling = s;
    }

    @Override
    public List<AdapterParam> parameters() {
        return List.of(new AdapterParam("lora_A.weight", m, ParamRole.OTHER, true));
    }

    @Override
    public void close() {
        m.close();
        compT.close();
        decompT.close();
    }
}
