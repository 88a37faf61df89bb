package org.loralab.lora.models.pretrained;

import java.util.Arrays;
import java.util.Locale;
import org.loralab.lora.data.FastMode;
import org.loralab.lora.models.Vit;
import org.loralab.lora.models.VitForImageClassification;

/**
 * How the pretrained base is made: the ViT's shape, the Fashion-MNIST classes it is pretrained on, and the training
 * budget. Two specs exist, {@link #full()} and {@link #fast()} (fast mode, {@code LORALAB_FAST=1}); they share the
 * architecture and differ in data and steps, and their files have different names so neither overwrites the other.
 *
 * @param variant        "full", "fast" or a test's own label; part of the file name
 * @param hiddenSize     ViT token width
 * @param layers         encoder layers
 * @param heads          attention heads
 * @param mlpDim         feed-forward width
 * @param patchSize      patch side on the 28x28 images
 * @param classes        the Fashion-MNIST labels pretrained on (relabelled 0..n-1 in this order)
 * @param trainExamples  at most this many training examples of those classes
 * @param testExamples   at most this many test examples to measure the base's accuracy
 * @param epochs         passes over the training examples
 * @param batchSize      batch size
 * @param lr             AdamW learning rate
 * @param seed           seeds the weight init, the shuffling and the engine
 */
public record BaseSpec(String variant, int hiddenSize, int layers, int heads, int mlpDim, int patchSize,
        int[] classes, int trainExamples, int testExamples, int epochs, int batchSize, double lr, long seed) {

    public static final int IMAGE_SIZE = 28;

    public BaseSpec {
        if (variant == null || !variant.matches("[a-z0-9-]+")) {
            throw new IllegalArgumentException("variant must be lower-case letters, digits or '-', got " + variant);
        }
        if (classes == null || classes.length < 2) {
            throw new IllegalArgumentException("a base needs at least two classes, got " + Arrays.toString(classes));
        }
        if (trainExamples <= 0 || testExamples <= 0 || epochs <= 0 || batchSize <= 0 || !(lr > 0)) {
            throw new IllegalArgumentException("trainExamples, testExamples, epochs, batchSize and lr must be positive");
        }
        classes = classes.clone();
    }

    /** The base the notebooks use: ViT hidden 64, 2 layers, 4 heads, patches 7x7, on classes 0-4 (T-shirt..Coat). */
    public static BaseSpec full() {
        return new BaseSpec("full", 64, 2, 4, 128, 7, new int[] {0, 1, 2, 3, 4}, 6_000, 1_000, 3, 64, 2e-3, 7);
    }

    /** Fast mode's base: the same classes; hidden 32, one layer, 320 examples, 20 steps. */
    public static BaseSpec fast() {
        return new BaseSpec("fast", 32, 1, 2, 64, 7, new int[] {0, 1, 2, 3, 4}, 320, 200, 2, 32, 3e-3, 7);
    }

    /** {@link #fast()} in fast mode, {@link #full()} otherwise. */
    public static BaseSpec current() {
        return FastMode.enabled() ? fast() : full();
    }

    @Override
    public int[] classes() {
        return classes.clone();
    }

    /** A fresh, uninitialised ViT with this shape and one output per pretraining class. */
    public VitForImageClassification newBlock() {
        return Vit.builder().setImageSize(IMAGE_SIZE).setPatchSize(patchSize).setChannels(1).setHiddenSize(hiddenSize)
                .setLayers(layers).setHeads(heads).setMlpDim(mlpDim).setClasses(classes.length).build();
    }

    /**
     * The file stem: every field that changes the weights is in it, so a changed spec never loads a stale file,
     * e.g. {@code vit-h64-l2-p7-c01234-full-s7}.
     */
    public String fileStem() {
        StringBuilder c = new StringBuilder();
        for (int k : classes) {
            c.append(k);
        }
        String budget = String.format(Locale.ROOT, "n%d-e%d-b%d-lr%s", trainExamples, epochs, batchSize,
                Double.toString(lr).replace('.', 'p').replace('-', 'm'));
        return String.format(Locale.ROOT, "vit-h%d-l%d-a%d-m%d-p%d-c%s-%s-%s-s%d", hiddenSize, layers, heads, mlpDim,
                patchSize, c, budget, variant, seed);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BaseSpec s && s.fileStem().equals(fileStem()) && s.testExamples == testExamples;
    }

    @Override
    public int hashCode() {
        return fileStem().hashCode();
    }

    @Override
    public String toString() {
        return "BaseSpec[" + fileStem() + ", test " + testExamples + "]";
    }
}
