package org.loralab.lora.hf.bert;

import org.loralab.lora.hf.HfConfig;

/**
 * transformers' {@code problem_type} of a sequence classifier, which picks the loss: mean squared error,
 * cross-entropy over the classes, or binary cross-entropy with logits per class.
 */
public enum ProblemType {
    REGRESSION("regression"),
    SINGLE_LABEL("single_label_classification"),
    MULTI_LABEL("multi_label_classification");

    private final String configName;

    ProblemType(String configName) {
        this.configName = configName;
    }

    /** The {@code problem_type} value in config.json. */
    public String configName() {
        return configName;
    }

    /**
     * The configured type; when absent, transformers' rule for integer labels: one label is regression, more are
     * single-label classification.
     */
    static ProblemType of(HfConfig c, int labels) {
        String name = c.getString("problem_type", null);
        if (name == null) {
            return labels == 1 ? REGRESSION : SINGLE_LABEL;
        }
        for (ProblemType t : values()) {
            if (t.configName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException(c.file() + ": problem_type \"" + name + "\" is not supported; supported:"
                + " regression, single_label_classification, multi_label_classification");
    }
}
