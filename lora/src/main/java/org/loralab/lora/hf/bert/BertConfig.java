package org.loralab.lora.hf.bert;

import java.util.List;

import org.loralab.lora.hf.HfConfig;
import org.loralab.lora.models.HiddenAct;

/**
 * A BERT or RoBERTa {@code config.json} read with transformers' {@code BertConfig} / {@code RobertaConfig} defaults.
 * Honoured: {@code vocab_size}, {@code hidden_size}, {@code num_hidden_layers}, {@code num_attention_heads},
 * {@code intermediate_size}, {@code hidden_act}, {@code layer_norm_eps}, {@code max_position_embeddings},
 * {@code type_vocab_size}, {@code pad_token_id} (RoBERTa's position ids), {@code position_embedding_type}
 * ({@code absolute} only), {@code problem_type}, {@code id2label} / {@code num_labels}. Dropout probabilities do not
 * change the inference math and are not applied; {@code is_decoder} / {@code add_cross_attention} are refused.
 *
 * @param roberta    RobertaForSequenceClassification (else BertForSequenceClassification)
 * @param labels     label of each class index (id2label), "LABEL_i" when the config has none
 * @param initializerRange std of a newly initialised head ({@code initializer_range}, 0.02)
 */
public record BertConfig(boolean roberta, int vocab, int hidden, int layers, int heads, int intermediate,
        HiddenAct act, float layerNormEps, int maxPositions, int typeVocab, int padTokenId, ProblemType problemType,
        List<String> labels, double initializerRange) {
    public static final String BERT = "BertForSequenceClassification";
    public static final String ROBERTA = "RobertaForSequenceClassification";

    public BertConfig {
        labels = List.copyOf(labels);
    }

    /** The module prefix of the encoder: {@code bert} or {@code roberta}. */
    public String prefix() {
        return roberta ? "roberta" : "bert";
    }

    public String architecture() {
        return roberta ? ROBERTA : BERT;
    }

    /** Reads and validates {@code c}; one line naming the file and the key on anything unsupported. */
    public static BertConfig from(HfConfig c) {
        return from(c, roberta(c), c.labels());
    }

    /**
     * The encoder of any BERT / RoBERTa checkpoint ({@code BertModel}, {@code RobertaForMaskedLM}, ...) by its
     * {@code model_type}, with a new sequence-classification head for {@code labels}.
     */
    public static BertConfig forNewHead(HfConfig c, List<String> labels) {
        String type = c.modelType();
        if (!"bert".equals(type) && !"roberta".equals(type)) {
            throw new IllegalArgumentException(c.file() + ": model_type \"" + type + "\" is not supported by the bert"
                    + " family; supported: bert, roberta");
        }
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("give at least one label for the new classification head");
        }
        return from(c, "roberta".equals(type), labels);
    }

    private static BertConfig from(HfConfig c, boolean roberta, List<String> labels) {
        String positions = c.getString("position_embedding_type", "absolute");
        if (!positions.equals("absolute")) {
            throw new IllegalArgumentException(c.file() + ": position_embedding_type \"" + positions + "\" is not"
                    + " supported; supported: absolute");
        }
        for (String key : List.of("is_decoder", "add_cross_attention")) {
            if (c.getBool(key, false)) {
                throw new IllegalArgumentException(c.file() + ": " + key + " true is not supported; the "
                        + (roberta ? "roberta" : "bert") + " family loads encoders only");
            }
        }
        int hidden = c.positiveInt("hidden_size", 768);
        int heads = c.positiveInt("num_attention_heads", 12);
        if (hidden % heads != 0) {
            throw new IllegalArgumentException(c.file() + ": hidden_size " + hidden + " is not a multiple of"
                    + " num_attention_heads " + heads);
        }
        HiddenAct act;
        try {
            act = HiddenAct.of("hidden_act", c.getString("hidden_act", "gelu"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(c.file() + ": " + e.getMessage(), e);
        }
        double eps = c.getDouble("layer_norm_eps", 1e-12);
        if (!(eps > 0)) {
            throw new IllegalArgumentException(c.file() + ": layer_norm_eps must be positive, got " + eps);
        }
        int vocab = c.positiveInt("vocab_size", roberta ? 50265 : 30522);
        int pad = c.getInt("pad_token_id", roberta ? 1 : 0);
        int maxPositions = c.positiveInt("max_position_embeddings", 512);
        if (roberta && (pad < 0 || pad + 1 >= maxPositions)) {
            throw new IllegalArgumentException(c.file() + ": pad_token_id " + pad + " leaves no RoBERTa position"
                    + " below max_position_embeddings " + maxPositions);
        }
        return new BertConfig(roberta, vocab, hidden, c.positiveInt("num_hidden_layers", 12), heads,
                c.positiveInt("intermediate_size", 3072), act, (float) eps, maxPositions,
                c.positiveInt("type_vocab_size", 2), pad, ProblemType.of(c, labels.size()), labels,
                c.getDouble("initializer_range", 0.02));
    }

    static boolean roberta(HfConfig c) {
        List<String> archs = c.architectures();
        if (archs.contains(ROBERTA)) {
            return true;
        }
        if (archs.contains(BERT)) {
            return false;
        }
        if (archs.isEmpty() && ("bert".equals(c.modelType()) || "roberta".equals(c.modelType()))) {
            return "roberta".equals(c.modelType());
        }
        throw new IllegalArgumentException(c.file() + ": architectures " + archs + " are not supported by the bert"
                + " family; supported: " + BERT + ", " + ROBERTA);
    }

}
