package org.loralab.ext.magic;

import java.util.Map;
import java.util.TreeSet;
import org.loralab.lora.variant.Variant;
import org.loralab.lora.variant.VariantRegistry;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** What {@code %lab help} and {@code %lab variants} say about the registered variants and the training methods. */
public final class VariantHelp {
    private VariantHelp() {}

    private static final Map<String, String> DESCRIPTIONS = Map.ofEntries(
            Map.entry("lora", "LoRA: W + (alpha/r) B A; rslora=true scales alpha/sqrt(r); init=gaussian, pissa, "
                    + "pissa_niter_K, olora, loftq"),
            Map.entry("dora", "DoRA: LoRA direction plus a learned per-output magnitude"),
            Map.entry("vera", "VeRA: frozen shared random A, B; trains scaling vectors d and b"),
            Map.entry("adalora", "AdaLoRA: SVD-form P diag(E) Q with rank budget pruned from init_r to target_r"),
            Map.entry("dylora", "DyLoRA: one adapter usable at every rank 1..r (rank sampled per step)"),
            Map.entry("sora", "SoRA: LoRA with a sparse gate between B and A, pruned by proximal steps"),
            Map.entry("loha", "LoHa: Hadamard product of two low-rank products"),
            Map.entry("lokr", "LoKr: Kronecker product of a small factor and a (low-rank) factor"),
            Map.entry("mora", "MoRA: square r-hat x r-hat matrix with compression/decompression operators"),
            Map.entry("moe", "Rank-1 mixture: r rank-1 experts picked per token by a router (top_k)"),
            Map.entry("lotr", "LoTR: Tucker-2 update with factors shared across layers"),
            Map.entry("qlora", "QLoRA: LoRA on a 4-bit NF4 (or int8) quantised frozen base"));

    /** The trainer-side methods: option of {@code %%train}, what it does, the Java call. */
    static final String[][] TRAINING_METHODS = {
        {"LoRA+", "loraplus_ratio: 16 [loraplus_lr_embedding: 1e-6]", "B and 1-D tensors at lr x ratio",
            "FitOptions.defaults().loraPlus(16)"},
        {"LoRA-FA", "lora_fa: true", "A frozen, B's gradient preconditioned", "FitOptions.defaults().loraFa()"},
    };

    /** A variant's one-line description ("" for one registered without a description here). */
    public static String description(String name) {
        return DESCRIPTIONS.getOrDefault(name, "");
    }

    /** One row per registered variant: variant, peft_type, layer kinds, options (key=default), description. */
    public static Table variantsTable() {
        StringColumn name = StringColumn.create("variant");
        StringColumn peft = StringColumn.create("peft_type");
        StringColumn kinds = StringColumn.create("layer_kinds");
        StringColumn options = StringColumn.create("options");
        StringColumn about = StringColumn.create("description");
        for (String n : VariantRegistry.names()) {
            Variant v = VariantRegistry.get(n);
            name.append(n);
            peft.append(v.peftType());
            TreeSet<String> k = new TreeSet<>();
            v.supportedKinds().forEach(x -> k.add(x.toString().toLowerCase(java.util.Locale.ROOT)));
            kinds.append(String.join(", ", k));
            options.append(VariantOptions.describe(v));
            about.append(description(n));
        }
        return Table.create("LoRA Lab variants", name, peft, kinds, options, about);
    }

    /** LoRA+ and LoRA-FA: method, %%train option, effect, Java call. */
    public static Table trainingTable() {
        StringColumn method = StringColumn.create("method");
        StringColumn option = StringColumn.create("%%train option");
        StringColumn effect = StringColumn.create("effect");
        StringColumn call = StringColumn.create("java");
        for (String[] m : TRAINING_METHODS) {
            method.append(m[0]);
            option.append(m[1]);
            effect.append(m[2]);
            call.append(m[3]);
        }
        return Table.create("Training-side methods", method, option, effect, call);
    }
}
