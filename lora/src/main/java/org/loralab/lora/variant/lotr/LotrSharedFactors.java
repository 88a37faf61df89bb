package org.loralab.lora.variant.lotr;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.BaseLayer;
import org.loralab.lora.variant.LayerKind;
import org.loralab.lora.variant.ModelScope;
import org.loralab.lora.variant.ParamRole;
import org.loralab.lora.variant.SharedState;
import org.loralab.lora.variant.lycoris.ParamInit;

/**
 * LoTR's shared Tucker-2 factors (spec §18): one pair {@code lhs [r, out]}, {@code rhs [in, r]} for
 * every group of adapted Linear layers with the same (out, in), shared by all of them (the
 * reference's container shared by query and value of every layer), both ~ N(0, 1). Saved at model
 * level as {@code base_model.lotr_lhs_<out>x<in>} and {@code base_model.lotr_rhs_<out>x<in>}.
 */
final class LotrSharedFactors implements SharedState {
    /** One group's factors. */
    record Pair(Parameter lhs, Parameter rhs) {}

    private final Map<String, Pair> groups = new LinkedHashMap<>();
    private final List<AdapterParam> params = new ArrayList<>();

    LotrSharedFactors(ModelScope scope) {
        int r = scope.config().r();
        Random rnd = scope.random();
        for (BaseLayer b : scope.targets().values()) {
            if (b.kind() != LayerKind.LINEAR) {
                continue;
            }
            String key = groupKey(b);
            if (groups.containsKey(key)) {
                continue;
            }
            Parameter lhs = ParamInit.zeros("lotr_lhs_" + key, b.manager(), new Shape(r, b.outFeatures()));
            Parameter rhs = ParamInit.zeros("lotr_rhs_" + key, b.manager(), new Shape(b.inFeatures(), r));
            ParamInit.normal(lhs, rnd, 1.0);
            ParamInit.normal(rhs, rnd, 1.0);
            lhs.getArray().setRequiresGradient(true);
            rhs.getArray().setRequiresGradient(true);
            groups.put(key, new Pair(lhs, rhs));
            params.add(new AdapterParam("base_model.lotr_lhs_" + key, lhs, ParamRole.LORA_B, true));
            params.add(new AdapterParam("base_model.lotr_rhs_" + key, rhs, ParamRole.LORA_A, true));
        }
    }

    /** "out x in" of a Linear, e.g. "768x768". */
    static String groupKey(BaseLayer b) {
        return b.outFeatures() + "x" + b.inFeatures();
    }

    /** The factors shared by Linear layers shaped like {@code b}. */
    Pair factorsFor(BaseLayer b) {
        Pair p = groups.get(groupKey(b));
        if (p == null) {
            throw new IllegalStateException("no shared LoTR factors for a " + groupKey(b) + " layer");
        }
        return p;
    }

    /** Number of layer groups sharing one factor pair. */
    int groupCount() {
        return groups.size();
    }

    @Override
    public List<AdapterParam> sharedParameters() {
        return List.copyOf(params);
    }

    @Override
    public void close() {
        for (AdapterParam p : params) {
            p.parameter().close();
        }
    }
}
