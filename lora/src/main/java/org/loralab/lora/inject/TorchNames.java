package org.loralab.lora.inject;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import java.util.LinkedHashMap;
import java.util.Map;

/** PyTorch state-dict names for DJL parameters: LayerNorm gamma/beta → weight/bias, embedding → weight. */
public final class TorchNames {
    private TorchNames() {}

    /** Torch name of one direct parameter of {@code owner}. */
    static String name(Block owner, Parameter p) {
        switch (p.getType()) {
            case GAMMA:
                return "weight";
            case BETA:
                return "bias";
            case RUNNING_MEAN:
                return "running_mean";
            case RUNNING_VAR:
                return "running_var";
            default:
                if (owner instanceof Embedding && "embedding".equals(p.getName())) {
                    return "weight";
                }
                return p.getName();
        }
    }

    /** Direct parameters of {@code b} by torch name. */
    static Map<String, Parameter> direct(Block b) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (Parameter p : b.getDirectParameters().values()) {
            out.put(name(b, p), p);
        }
        return out;
    }

    /** All parameters under {@code b} by relative dotted torch name ("weight", "0.bias", "dense.weight"). */
    public static Map<String, Parameter> parameters(Block b) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (Map.Entry<String, Block> e : BlockPaths.named(b).entrySet()) {
            for (Map.Entry<String, Parameter> p : direct(e.getValue()).entrySet()) {
                if (p.getValue().getType() == Parameter.Type.RUNNING_MEAN
                        || p.getValue().getType() == Parameter.Type.RUNNING_VAR) {
                    continue;
                }
                out.put(e.getKey().isEmpty() ? p.getKey() : e.getKey() + "." + p.getKey(), p.getValue());
            }
        }
        return out;
    }
}
