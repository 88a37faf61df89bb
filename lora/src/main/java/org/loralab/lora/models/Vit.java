package org.loralab.lora.models;

/**
 * Builds a {@link VitForImageClassification} in DJL builder style.
 *
 * <pre>{@code
 * Block vit = Vit.builder().setImageSize(28).setPatchSize(7).setChannels(1)
 *         .setHiddenSize(64).setLayers(2).setHeads(4).setMlpDim(128).setClasses(10).build();
 * Block vitB16 = Vit.base16(101).build();   // google/vit-base-patch16-224 layout
 * }</pre>
 */
public final class Vit {

    private Vit() {}

    public static Builder builder() {
        return new Builder();
    }

    /** A {@code ViTForImageClassification} of a validated config (see {@link Builder#config()}). */
    public static VitForImageClassification classifier(VitConfig c) {
        return new VitForImageClassification(c);
    }

    /**
     * HF's bare {@code ViTModel} of a validated config: module paths {@code embeddings...}, {@code encoder...},
     * {@code layernorm} and, with {@code pooler}, {@code pooler.dense}; the classes setting is not used.
     */
    public static VitModel model(VitConfig c, boolean pooler) {
        return new VitModel(c, pooler);
    }

    /** ViT-B/16 at 224 px: 12 layers, hidden 768, 12 heads, MLP 3072. */
    public static Builder base16(int classes) {
        return builder().setImageSize(224).setPatchSize(16).setChannels(3).setHiddenSize(768)
                .setLayers(12).setHeads(12).setMlpDim(3072).setClasses(classes);
    }

    /** Builder; every setter is required except the {@code opt} ones (and channels, 3 by default). */
    public static final class Builder {
        private int imageSize = -1;
        private int patchSize = -1;
        private int channels = 3;
        private int hiddenSize = -1;
        private int layers = -1;
        private int heads = -1;
        private int mlpDim = -1;
        private int classes = -1;
        private float layerNormEps = 1e-12f;
        private boolean qkvBias = true;
        private HiddenAct hiddenAct = HiddenAct.GELU;

        public Builder setImageSize(int v) { imageSize = v; return this; }
        public Builder setPatchSize(int v) { patchSize = v; return this; }
        public Builder setChannels(int v) { channels = v; return this; }
        public Builder setHiddenSize(int v) { hiddenSize = v; return this; }
        public Builder setLayers(int v) { layers = v; return this; }
        public Builder setHeads(int v) { heads = v; return this; }
        public Builder setMlpDim(int v) { mlpDim = v; return this; }
        public Builder setClasses(int v) { classes = v; return this; }
        public Builder optLayerNormEps(float v) { layerNormEps = v; return this; }
        public Builder optQkvBias(boolean v) { qkvBias = v; return this; }
        public Builder optHiddenAct(HiddenAct v) { hiddenAct = java.util.Objects.requireNonNull(v); return this; }

        /** The validated configuration. */
        public VitConfig config() {
            return config(true);
        }

        private VitConfig config(boolean needClasses) {
            positive("imageSize", imageSize);
            positive("patchSize", patchSize);
            positive("channels", channels);
            positive("hiddenSize", hiddenSize);
            positive("layers", layers);
            positive("heads", heads);
            positive("mlpDim", mlpDim);
            if (needClasses) {
                positive("classes", classes);
            }
            if (imageSize % patchSize != 0) {
                throw new IllegalArgumentException("imageSize " + imageSize
                        + " is not a multiple of patchSize " + patchSize + "; pick sizes that divide");
            }
            if (hiddenSize % heads != 0) {
                throw new IllegalArgumentException("hiddenSize " + hiddenSize
                        + " is not a multiple of heads " + heads + "; pick sizes that divide");
            }
            return new VitConfig(imageSize, patchSize, channels, hiddenSize, layers, heads, mlpDim,
                    classes, layerNormEps, qkvBias, hiddenAct);
        }

        public VitForImageClassification build() {
            return new VitForImageClassification(config());
        }

        /** A ViT without a classes setting (for {@link Vit#model}); validated like {@link #config()}. */
        public VitConfig backboneConfig() {
            return config(false);
        }

        private static void positive(String name, int v) {
            if (v <= 0) {
                throw new IllegalArgumentException(name + " must be set to a positive value, got " + v);
            }
        }
    }
}
