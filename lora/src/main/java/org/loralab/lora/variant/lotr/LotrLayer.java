package org.loralab.lora.variant.lotr;

import ai.djl.nn.Parameter;
import java.util.List;
import org.loralab.lora.variant.AbstractLayerAdapter;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.LayerSpec;

/** What LoTR's Linear and conv layers share: scaling, merge as W ± ΔW, parameter list, closing. */
abstract class LotrLayer extends AbstractLayerAdapter {
    private final List<AdapterParam> own;

    LotrLayer(LayerSpec spec, List<AdapterParam> own) {
        super(spec.base(), spec.r(), spec.alpha(), spec.config().optionDouble(LotrVariant.SCALE, 1.0));
        this.own = own;
        for (AdapterParam p : own) {
            p.parameter().getArray().setRequiresGradient(true);
        }
    }

    @Override
    public String variant() {
        return "lotr";
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
