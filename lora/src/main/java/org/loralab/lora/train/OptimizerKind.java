package org.loralab.lora.train;

import java.util.Locale;

/** The update rules {@link GroupedOptimizer} implements, with PyTorch's semantics. */
public enum OptimizerKind {
    /** Plain SGD; weight decay is added to the gradient (L2). */
    SGD,
    /** Adam (torch.optim.Adam): bias-corrected, eps 1e-8, weight decay added to the gradient (L2). */
    ADAM,
    /** AdamW (torch.optim.AdamW): Adam with decoupled weight decay applied before the step. */
    ADAMW;

    public static OptimizerKind parse(String name) {
        for (OptimizerKind k : values()) {
            if (k.name().equalsIgnoreCase(name.trim())) {
                return k;
            }
        }
        throw new IllegalArgumentException(
                "unknown optimizer '" + name + "': use one of sgd, adam, adamw");
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
