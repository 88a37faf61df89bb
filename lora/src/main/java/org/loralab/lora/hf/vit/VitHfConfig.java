package org.loralab.lora.hf.vit;

import java.util.List;

import org.loralab.lora.hf.HfConfig;
import org.loralab.lora.models.HiddenAct;
import org.loralab.lora.models.Vit;
import org.loralab.lora.models.VitConfig;

/**
 * A ViT {@code config.json} read with transformers' {@code ViTConfig} defaults. Honoured: {@code hidden_size},
 * {@code num_hidden_layers}, {@code num_attention_heads}, {@code intermediate_size}, {@code hidden_act},
 * {@code layer_norm_eps}, {@code image_size}, {@code patch_size}, {@code num_channels}, {@code qkv_bias},
 * {@code id2label} / {@code label2id} / {@code num_labels}, {@code pooler_act} and {@code pooler_output_size} (their
 * defaults only). Values that would change the math and are not supported are refused with the key's name; keys
 * that do not change the forward ({@code encoder_stride}, {@code initializer_range}, dropout probabilities, which
 * DJL's ViT does not apply) are ignored.
 *
 * @param architecture "ViTForImageClassification" or "ViTModel"
 * @param vit          the model's sizes (classes = number of labels)
 * @param labels       label of each class index (id2label), "LABEL_i" when the config has none
 * @param initializerRange std of a newly initialised head ({@code initializer_range}, 0.02)
 */
public record VitHfConfig(String architecture, VitConfig vit, List<String> labels, double initializerRange) {
    public static final String CLASSIFIER = "ViTForImageClassification";
    public static final String BACKBONE = "ViTModel";

    public VitHfConfig {
        labels = List.copyOf(labels);
    }

    public boolean isClassifier() {
        return CLASSIFIER.equals(architecture);
    }

    /** Reads and validates {@code c}; one line naming the file and the key on anything unsupported. */
    public static VitHfConfig from(HfConfig c) {
        return from(c, c.labels());
    }

    /** As {@link #from(HfConfig)} with other labels (a new classification head). */
    public static VitHfConfig from(HfConfig c, List<String> labels) {
        String architecture = architecture(c);
        int hidden = c.positiveInt("hidden_size", 768);
        int heads = c.positiveInt("num_attention_heads", 12);
        int imageSize = square(c, "image_size", 224);
        int patchSize = square(c, "patch_size", 16);
        if (hidden % heads != 0) {
            throw new IllegalArgumentException(c.file() + ": hidden_size " + hidden + " is not a multiple of"
                    + " num_attention_heads " + heads);
        }
        if (imageSize % patchSize != 0) {
            throw new IllegalArgumentException(c.file() + ": image_size " + imageSize + " is not a multiple of"
                    + " patch_size " + patchSize + " (not supported)");
        }
        HiddenAct act;
        try {
            act = HiddenAct.of("hidden_act", c.getString("hidden_act", "gelu"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(c.file() + ": " + e.getMessage(), e);
        }
        String poolerAct = c.getString("pooler_act", "tanh");
        if (!poolerAct.equals("tanh")) {
            throw new IllegalArgumentException(c.file() + ": pooler_act \"" + poolerAct + "\" is not supported;"
                    + " supported: tanh");
        }
        if (c.getInt("pooler_output_size", hidden) != hidden) {
            throw new IllegalArgumentException(c.file() + ": pooler_output_size " + c.getInt("pooler_output_size")
                    + " is not supported; supported: hidden_size (" + hidden + ")");
        }
        double eps = c.getDouble("layer_norm_eps", 1e-12);
        if (!(eps > 0)) {
            throw new IllegalArgumentException(c.file() + ": layer_norm_eps must be positive, got " + eps);
        }
        Vit.Builder b = Vit.builder().setImageSize(imageSize).setPatchSize(patchSize)
                .setChannels(c.positiveInt("num_channels", 3)).setHiddenSize(hidden)
                .setLayers(c.positiveInt("num_hidden_layers", 12)).setHeads(heads)
                .setMlpDim(c.positiveInt("intermediate_size", 3072)).setClasses(Math.max(labels.size(), 1))
                .optLayerNormEps((float) eps).optQkvBias(c.getBool("qkv_bias", true)).optHiddenAct(act);
        return new VitHfConfig(architecture, b.config(), labels, c.getDouble("initializer_range", 0.02));
    }

    /** ViTForImageClassification when listed, else ViTModel (also for a config without architectures). */
    static String architecture(HfConfig c) {
        List<String> archs = c.architectures();
        if (archs.contains(CLASSIFIER)) {
            return CLASSIFIER;
        }
        if (archs.isEmpty() || archs.contains(BACKBONE)) {
            return BACKBONE;
        }
        throw new IllegalArgumentException(c.file() + ": architectures " + archs + " are not supported by the vit"
                + " family; supported: " + CLASSIFIER + ", " + BACKBONE);
    }

    /** An int, or a [height, width] pair with equal sides (non-square is not supported). */
    private static int square(HfConfig c, String key, int dflt) {
        Object raw = c.raw(key);
        if (raw instanceof List<?> pair) {
            if (pair.size() != 2 || !(pair.get(0) instanceof Long h) || !(pair.get(1) instanceof Long w)) {
                throw c.typeError(key, "an integer or [height, width]", raw);
            }
            if (!h.equals(w) || h <= 0 || h > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(c.file() + ": " + key + " " + raw + " is not supported; only"
                        + " square positive sizes are");
            }
            return h.intValue();
        }
        return c.positiveInt(key, dflt);
    }
}
