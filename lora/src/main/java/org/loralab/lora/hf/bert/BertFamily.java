package org.loralab.lora.hf.bert;

import java.util.List;

import org.loralab.lora.hf.HfConfig;
import org.loralab.lora.hf.HfModel;
import org.loralab.lora.hf.LoadOptions;
import org.loralab.lora.hf.ModelFamily;
import org.loralab.lora.io.safetensors.TensorSource;

/** BERT and RoBERTa encoders with a sequence-classification head, as {@link SequenceClassifier}. */
public final class BertFamily implements ModelFamily {
    static final String NAME = "bert";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> architectures() {
        return List.of(BertConfig.BERT, BertConfig.ROBERTA);
    }

    @Override
    public boolean supports(HfConfig config) {
        List<String> archs = config.architectures();
        if (!archs.isEmpty()) {
            return archs.contains(BertConfig.BERT) || archs.contains(BertConfig.ROBERTA);
        }
        return "bert".equals(config.modelType()) || "roberta".equals(config.modelType());
    }

    @Override
    public HfModel load(HfConfig config, TensorSource weights, LoadOptions options) {
        return SequenceClassifier.load(config, BertConfig.from(config), weights, options);
    }
}
