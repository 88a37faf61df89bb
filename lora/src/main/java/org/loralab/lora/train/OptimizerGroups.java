package org.loralab.lora.train;

import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.loralab.lora.variant.ParamRole;

/** Builds optimizer parameter groups: one plain group, or LoRA+'s four (variants spec §4). */
public final class OptimizerGroups {
    /** PEFT's default loraplus_lr_embedding. */
    public static final double LORAPLUS_EMBEDDING_LR = 1e-6;

    private OptimizerGroups() {}

    /** Every trainable parameter in one group. */
    public static List<ParamGroup> single(List<ParamInfo> trainable, double lr, double weightDecay) {
        List<String> names = new ArrayList<>();
        trainable.forEach(p -> names.add(p.name()));
        return List.of(new ParamGroup("default", lr, weightDecay, names));
    }

    /**
     * LoRA+ ({@code create_loraplus_optimizer}): groups in the order [groupA, embedding, groupB, groupB_no_decay].
     * Embedding-adapter factors go to "embedding" (lr = embeddingLr); lora_B and every 1-D tensor to groupB (lr x
     * ratio), split by decay; the rest to groupA (lr).
     *
     * @param ratio loraplus_lr_ratio; required, no default (PEFT's docs use 16)
     */
    public static List<ParamGroup> loraPlus(
            List<ParamInfo> trainable, double lr, double ratio, double weightDecay, double embeddingLr) {
        if (!(ratio > 0) || Double.isInfinite(ratio)) {
            throw new IllegalArgumentException(
                    "LoRA+ needs a positive lr ratio (loraplus_lr_ratio), e.g. 16; got " + ratio);
        }
        List<String> a = new ArrayList<>();
        List<String> emb = new ArrayList<>();
        List<String> b = new ArrayList<>();
        List<String> bNoDecay = new ArrayList<>();
        for (ParamInfo p : trainable) {
            String name = p.name();
            Parameter param = p.parameter();
            ParamRole role = p.role();
            if (role == ParamRole.EMBEDDING_A || role == ParamRole.EMBEDDING_B) {
                emb.add(name);
            } else if (role == ParamRole.LORA_B || param.getShape().dimension() == 1) {
                (decays(name, param) ? b : bNoDecay).add(name);
            } else {
                a.add(name);
            }
        }
        return List.of(
                new ParamGroup("groupA", lr, weightDecay, a),
                new ParamGroup("embedding", embeddingLr, weightDecay, emb),
                new ParamGroup("groupB", lr * ratio, weightDecay, b),
                new ParamGroup("groupB_no_decay", lr * ratio, 0.0, bNoDecay));
    }

    /** transformers' decay list: everything except biases and LayerNorm parameters. */
    static boolean decays(String name, Parameter param) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.contains("bias") || n.contains("layernorm") || n.contains("layer_norm")) {
            return false;
        }
        Parameter.Type t = param.getType();
        return t != Parameter.Type.BIAS && t != Parameter.Type.GAMMA && t != Parameter.Type.BETA;
    }
}
