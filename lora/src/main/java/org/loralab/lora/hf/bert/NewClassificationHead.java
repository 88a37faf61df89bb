package org.loralab.lora.hf.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.loralab.lora.hf.HfConfig;
import org.loralab.lora.hf.LoadOptions;
import org.loralab.lora.hf.StateDicts;
import org.loralab.lora.io.safetensors.Safetensors;
import org.loralab.lora.io.safetensors.TensorSource;

/** {@link SequenceClassifier#forNewLabels}: a checkpoint's encoder under a new classification head. */
final class NewClassificationHead {
    private NewClassificationHead() {}

    static SequenceClassifier load(Path dir, List<String> labels, LoadOptions options, long seed) {
        Path configFile = dir.resolve("config.json");
        if (!Files.isRegularFile(configFile)) {
            throw new IllegalArgumentException(dir + " has no config.json; a Hugging Face model directory holds"
                    + " config.json next to model.safetensors");
        }
        HfConfig config = HfConfig.read(configFile);
        BertConfig c = BertConfig.forNewHead(config, labels);
        String p = c.prefix() + ".";
        try (TensorSource weights = Safetensors.openCheckpoint(dir)) {
            Set<String> names = weights.tensors().keySet();
            // a bare BertModel / RobertaModel checkpoint names its tensors without the prefix
            boolean bare = names.stream().noneMatch(n -> n.startsWith(p));
            Set<String> ignore = new HashSet<>(Set.of("classifier.", p + "embeddings.position_ids",
                    p + "embeddings.token_type_ids"));
            for (String n : names) {
                if (!bare && !n.startsWith(p)) {
                    ignore.add(n); // another head: lm_head.*, cls.*, qa_outputs.*, an old classifier.*
                }
            }
            boolean newPooler = !c.roberta() && !names.contains((bare ? "" : p) + "pooler.dense.weight");
            if (c.roberta() || newPooler) {
                ignore.add(p + "pooler."); // RoBERTa's classifier has no pooler; BERT's is new when absent
            }
            Map<String, String> renames = bare ? Map.of("", p) : Map.of();
            SequenceClassifier cls = SequenceClassifier.load(config, c, weights, options, renames, ignore);
            try {
                Random random = new Random(seed);
                for (Map.Entry<String, Parameter> e : StateDicts.parameters(cls.block()).entrySet()) {
                    boolean fresh = e.getKey().startsWith("classifier.") || newPooler && e.getKey().startsWith(p
                            + "pooler.");
                    if (fresh && e.getKey().endsWith(".weight")) {
                        normal(e.getValue().getArray(), random, c.initializerRange());
                    }
                }
            } catch (RuntimeException e) {
                cls.close();
                throw e;
            }
            return cls;
        }
    }

    /** transformers' {@code _init_weights} for a new Linear weight (its bias stays 0). */
    private static void normal(NDArray w, Random random, double std) {
        float[] values = new float[Math.toIntExact(w.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * std);
        }
        try (NDManager scratch = w.getManager().newSubManager()) {
            scratch.create(values, w.getShape()).toType(w.getDataType(), false).copyTo(w);
        }
    }
}
