package org.loralab.lora.train;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.loralab.lora.inject.AdaptedLayerInfo;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.ParamRole;

/** The trainable parameters of a model, with roles and scalings for optimizer grouping. */
public final class TrainableParams {
    private TrainableParams() {}

    /** A plain DJL block: DJL names, roles guessed from PEFT-style names, no scalings. */
    public static List<ParamInfo> of(Block block) {
        List<ParamInfo> out = new ArrayList<>();
        for (Pair<String, Parameter> p : NamedParams.trainable(block)) {
            out.add(new ParamInfo(p.getKey(), p.getValue(), roleByName(p.getKey()), Double.NaN));
        }
        return out;
    }

    /** An adapted model: adapter tensors with PEFT names, core's roles and their layer's scaling. */
    public static List<ParamInfo> of(AdaptedModel model) {
        Map<Parameter, String> peftName = new IdentityHashMap<>();
        Map<Parameter, AdapterParam> adapterParam = new IdentityHashMap<>();
        for (Map.Entry<String, AdapterParam> e : model.trainableParameterMap().entrySet()) {
            peftName.put(e.getValue().parameter(), e.getKey());
            adapterParam.put(e.getValue().parameter(), e.getValue());
        }
        List<AdaptedLayerInfo> layers = model.layers();
        List<ParamInfo> out = new ArrayList<>();
        for (Pair<String, Parameter> p : NamedParams.trainable(model.block())) {
            AdapterParam ap = adapterParam.get(p.getValue());
            if (ap == null) {
                out.add(new ParamInfo(p.getKey(), p.getValue(), roleByName(p.getKey()), Double.NaN));
            } else {
                String name = peftName.get(p.getValue());
                out.add(new ParamInfo(name, p.getValue(), ap.role(), scalingOf(name, layers)));
            }
        }
        return out;
    }

    /** The scaling of the layer whose path (longest match) and adapter name this PEFT name carries. */
    static double scalingOf(String peftName, List<AdaptedLayerInfo> layers) {
        AdaptedLayerInfo best = null;
        for (AdaptedLayerInfo l : layers) {
            String rest = peftName.startsWith(l.path() + ".") ? peftName.substring(l.path().length() + 1) : null;
            if (rest != null && ("." + rest + ".").contains("." + l.adapterName() + ".")
                    && (best == null || l.path().length() > best.path().length())) {
                best = l;
            }
        }
        return best == null ? Double.NaN : best.scaling();
    }

    /** PEFT's parameter names: lora_embedding_A/B, lora_A, lora_B (case-insensitive); else OTHER. */
    public static ParamRole roleByName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.contains("lora_embedding_a")) {
            return ParamRole.EMBEDDING_A;
        }
        if (n.contains("lora_embedding_b")) {
            return ParamRole.EMBEDDING_B;
        }
        if (n.contains("lora_a")) {
            return ParamRole.LORA_A;
        }
        if (n.contains("lora_b")) {
            return ParamRole.LORA_B;
        }
        return ParamRole.OTHER;
    }

    public static long count(List<ParamInfo> params) {
        long n = 0;
        for (ParamInfo p : params) {
            n += p.parameter().getShape().size();
        }
        return n;
    }
}
