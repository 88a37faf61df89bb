package org.loralab.lora.hf.vit;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.loralab.lora.hf.HfConfig;
import org.loralab.lora.hf.HfModel;
import org.loralab.lora.hf.HfModels;
import org.loralab.lora.hf.LoadOptions;
import org.loralab.lora.hf.StateDicts;
import org.loralab.lora.hf.image.ImageProcessor;
import org.loralab.lora.io.safetensors.Safetensors;
import org.loralab.lora.io.safetensors.TensorSource;
import org.loralab.lora.models.Vit;
import org.loralab.lora.models.VitConfig;

/**
 * A loaded {@code ViTForImageClassification}: module paths {@code vit.embeddings...}, {@code vit.encoder.layer.N...},
 * {@code vit.layernorm}, {@code classifier}; images in, labels with probabilities out.
 *
 * <pre>{@code
 * try (VitImageClassifier vit = VitImageClassifier.load(dir)) {
 *     vit.predict(Path.of("cat.png")).forEach(System.out::println);   // top 5 of id2label
 * }
 * }</pre>
 */
public final class VitImageClassifier extends HfModel {
    private final Model model;
    private final VitConfig vit;
    private final List<String> labels;
    private final ImageProcessor processor;

    private VitImageClassifier(HfConfig config, Model model, VitHfConfig v) {
        super(config, "vit");
        this.model = model;
        this.vit = v.vit();
        this.labels = v.labels();
        this.processor = ImageProcessor.forModel(config.directory(), vit.imageSize());
    }

    /** Loads a ViTForImageClassification directory in fp32. */
    public static VitImageClassifier load(Path dir) {
        return load(dir, LoadOptions.defaults());
    }

    /** Loads a ViTForImageClassification directory; a ViTModel checkpoint is refused with a hint. */
    public static VitImageClassifier load(Path dir, LoadOptions options) {
        HfModel m = HfModels.load(dir, options);
        if (m instanceof VitImageClassifier c) {
            return c;
        }
        m.close();
        throw new IllegalArgumentException(dir + " holds a " + m.config().architectures() + " checkpoint, not an"
                + " image classifier; use VitImageClassifier.forNewLabels(dir, labels, options) to add a head");
    }

    static VitImageClassifier load(HfConfig config, VitHfConfig v, TensorSource weights, LoadOptions options) {
        Model model = VitWeights.load("vit-image-classifier", Vit.classifier(v.vit()), v.vit(), weights,
                options, Map.of(), Set.of());
        return new VitImageClassifier(config, model, v);
    }

    /**
     * transformers' {@code AutoModelForImageClassification.from_pretrained(dir, id2label=..., label2id=...,
     * ignore_mismatched_sizes=True)}: the backbone of a ViTModel or ViTForImageClassification checkpoint with a new,
     * randomly initialised {@code classifier} for {@code labels} (normal, std {@code initializer_range}; bias 0).
     * The pooler of a ViTModel checkpoint is not used (as in transformers).
     */
    public static VitImageClassifier forNewLabels(Path dir, List<String> labels, LoadOptions options) {
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("give at least one label for the new classification head");
        }
        Path configFile = dir.resolve("config.json");
        if (!Files.isRegularFile(configFile)) {
            throw new IllegalArgumentException(dir + " has no config.json; a Hugging Face model directory holds"
                    + " config.json next to model.safetensors");
        }
        HfConfig config = HfConfig.read(configFile);
        VitHfConfig v = VitHfConfig.from(config, labels);
        VitHfConfig head = new VitHfConfig(VitHfConfig.CLASSIFIER, v.vit(), labels, v.initializerRange());
        Map<String, String> renames = v.isClassifier() ? Map.of() : Map.of("", "vit.");
        try (TensorSource weights = Safetensors.openCheckpoint(dir)) {
            Model model = VitWeights.load("vit-image-classifier", Vit.classifier(v.vit()), v.vit(), weights,
                    options, renames, Set.of("classifier.", "vit.pooler."));
            try {
                Map<String, Parameter> params = StateDicts.parameters(model.getBlock());
                NDArray w = params.get("classifier.weight").getArray();
                w.getManager().randomNormal(0f, (float) v.initializerRange(), w.getShape(), w.getDataType())
                        .copyTo(w);
            } catch (RuntimeException e) {
                model.close();
                throw e;
            }
            return new VitImageClassifier(config, model, head);
        }
    }

    @Override
    public Model model() {
        return model;
    }

    /** Label of each class index (id2label). */
    public List<String> labels() {
        return labels;
    }

    public VitConfig vitConfig() {
        return vit;
    }

    /** The preprocessing of this model (preprocessor_config.json, or ViTImageProcessor's defaults). */
    public ImageProcessor processor() {
        return processor;
    }

    /** Logits [B, classes] as float32 for {@code pixelValues} [B, channels, image, image] (the current block). */
    public NDArray logits(NDManager manager, NDArray pixelValues) {
        DataType dtype = model.getDataType();
        NDArray x = pixelValues.getDataType() == dtype ? pixelValues : pixelValues.toType(dtype, false);
        NDArray y = block().forward(new ParameterStore(manager, false), new NDList(x), false).singletonOrThrow();
        return y.getDataType() == DataType.FLOAT32 ? y : y.toType(DataType.FLOAT32, false);
    }

    /** The 5 most likely labels (fewer when the model has fewer classes). */
    public List<Prediction> predict(BufferedImage image) {
        return predict(image, 5);
    }

    /** The {@code k} most likely labels with their softmax probabilities, most likely first. */
    public List<Prediction> predict(BufferedImage image, int k) {
        if (vit.channels() != 3) {
            throw new IllegalStateException("num_channels is " + vit.channels() + " but image preprocessing gives"
                    + " RGB; call logits() with your own pixel values");
        }
        try (NDManager m = model.getNDManager().newSubManager()) {
            NDArray x = processor.pixelValues(m, List.of(image));
            float[] p = logits(m, x).softmax(-1).toFloatArray();
            List<Prediction> all = new ArrayList<>();
            for (int i = 0; i < p.length; i++) {
                all.add(new Prediction(i, labels.get(i), p[i]));
            }
            all.sort(Comparator.comparingDouble(Prediction::probability).reversed()
                    .thenComparingInt(Prediction::index));
            return List.copyOf(all.subList(0, Math.min(Math.max(k, 0), all.size())));
        }
    }

    /** {@link #predict(BufferedImage)} on an image file. */
    public List<Prediction> predict(Path image) {
        return predict(ImageProcessor.readImage(image));
    }
}
