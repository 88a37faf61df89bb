package org.loralab.lora.models;

/**
 * Hyper-parameters of a ViT image classifier, with the names of Hugging Face's {@code ViTConfig}.
 * Built and validated by {@link Vit.Builder}.
 *
 * @param imageSize   input height and width in pixels
 * @param patchSize   patch height and width (the patch conv's kernel and stride)
 * @param channels    input channels
 * @param hiddenSize  token width
 * @param layers      number of encoder layers
 * @param heads       attention heads ({@code hiddenSize % heads == 0})
 * @param mlpDim      intermediate size of the feed-forward part
 * @param classes     outputs of the classifier head
 * @param layerNormEps epsilon of every LayerNorm (HF ViT uses 1e-12)
 * @param qkvBias     whether query, key and value have a bias ({@code qkv_bias}, default true)
 * @param hiddenAct   activation of the feed-forward part ({@code hidden_act}, default exact GELU)
 */
public record VitConfig(
        int imageSize,
        int patchSize,
        int channels,
        int hiddenSize,
        int layers,
        int heads,
        int mlpDim,
        int classes,
        float layerNormEps,
        boolean qkvBias,
        HiddenAct hiddenAct) {

    /** Number of patches along one side. */
    public int patchesPerSide() {
        return imageSize / patchSize;
    }

    /** Tokens per image: patches plus the CLS token. */
    public int sequenceLength() {
        return patchesPerSide() * patchesPerSide() + 1;
    }
}
