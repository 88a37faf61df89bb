package org.loralab.lora.variant.lotr;

import ai.djl.nn.Parameter;
import java.util.List;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.BaseLayer;
import org.loralab.lora.variant.LayerAdapter;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.ParamSource;
import org.loralab.lora.variant.WeightMerge;

/** What LoTR's Linear and conv layers share: scaling, merge as W ± ΔW, parameter list, closing. */
abstract class LotrLayer implements LayerAdapter {
    protected final BaseLayer base;
    protected final int r;
    protected final double alpha;
    protected double scaling;
    private final List<AdapterParam> own;

    LotrLayer(LayerSpec spec, List<AdapterParam> own) {
        this.base = spec.base();
        this.r = spec.r();
        this.alpha = spec.alpha();
        this.scaling = spec.config().optionDouble(LotrVariant.SCALE, 1.0);
        this.own = own;
        for (AdapterParam p : own) {
            p.parameter().getArray().setRequiresGradient(true);
        }
    }

    @Override
    public void merge() {
        WeightMerge.apply(this, 1);
    }

    @Override
    public void unmerge() {
        WeightMerge.apply(this, -1);
    }

    @Override
    public BaseLayer base() {
        return base;
    }

    @Override
    public String variant() {
        return "lotr";
    }

    @Override
    public int rank() {
        return r;
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

    /** The layer's own tensors (shared factors are saved and counted at model level). */
    @Override
    public List<AdapterParam> parameters() {
        return own;
    }

    @Override
    public void close() {
        for (AdapterParam p : own) {
            p.parameter().close();
        }
    }

    static Parameter param(List<AdapterParam> ps, String key) {
        for (AdapterParam p : ps) {
            if (p.key().equals(key)) {
                return p.parameter();
            }
        }
        throw new IllegalStateException(key);
    }
}
