package org.loralab.lora.hf.vit;

import java.util.List;

import org.loralab.lora.hf.HfConfig;
import org.loralab.lora.hf.HfModel;
import org.loralab.lora.hf.LoadOptions;
import org.loralab.lora.hf.ModelFamily;
import org.loralab.lora.io.safetensors.TensorSource;

/** The ViT family: transformers' {@code ViTForImageClassification} and {@code ViTModel} checkpoints. */
public final class VitFamily implements ModelFamily {
    @Override
    public String name() {
        return "vit";
    }

    @Override
    public List<String> architectures() {
        return List.of(VitHfConfig.CLASSIFIER, VitHfConfig.BACKBONE);
    }

    @Override
    public boolean supports(HfConfig config) {
        List<String> archs = config.architectures();
        if (archs.isEmpty()) {
            return "vit".equals(config.modelType());
        }
        return archs.contains(VitHfConfig.CLASSIFIER) || archs.contains(VitHfConfig.BACKBONE);
    }

    @Override
    public HfModel load(HfConfig config, TensorSource weights, LoadOptions options) {
        VitHfConfig vit = VitHfConfig.from(config);
        if (vit.isClassifier()) {
            return VitImageClassifier.load(config, vit, weights, options);
        }
        return VitBackbone.load(config, vit, weights, options);
    }
}
