package org.loralab.lora.hf.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loralab.lora.testing.ManagedTest;

/** {@code SequenceClassifier.loss} follows transformers' {@code problem_type}; values worked out by hand. */
class ProblemTypeLossTest extends ManagedTest {

    private SequenceClassifier load(Path tmp, String problemType) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(problemType));
        Path src = BertFixtures.dir("bert");
        Files.writeString(dir.resolve("config.json"), Files.readString(src.resolve("config.json"))
                .replace("\"single_label_classification\"", "\"" + problemType + "\""));
        Files.copy(src.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        return SequenceClassifier.load(dir);
    }

    @Test
    void eachProblemTypeHasTransformersLoss(@TempDir Path tmp) throws IOException {
        float[][] logits = {{1f, 2f, 3f}, {0f, -1f, 0.5f}};
        try (SequenceClassifier cls = load(tmp, "single_label_classification")) {
            // cross-entropy: mean of log(sum exp) - logit[label]
            double row0 = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3;
            double row1 = Math.log(1 + Math.exp(-1) + Math.exp(0.5)) - 0;
            assertEquals((row0 + row1) / 2, cls.loss(m.create(logits), m.create(new long[] {2, 0})).getFloat(), 1e-6);
        }
        try (SequenceClassifier cls = load(tmp, "multi_label_classification")) {
            float[][] y = {{1f, 0f, 1f}, {0f, 0f, 1f}};
            double sum = 0;
            for (int b = 0; b < 2; b++) {
                for (int k = 0; k < 3; k++) {
                    double p = 1 / (1 + Math.exp(-logits[b][k]));
                    sum += -(y[b][k] * Math.log(p) + (1 - y[b][k]) * Math.log(1 - p));
                }
            }
            assertEquals(sum / 6, cls.loss(m.create(logits), m.create(y)).getFloat(), 1e-6);
        }
        try (SequenceClassifier cls = load(tmp, "regression")) {
            float[][] y = {{0f, 2f, 3f}, {1f, -1f, 0f}};
            double mse = (1 + 0 + 0 + 1 + 0 + 0.25) / 6;
            assertEquals(mse, cls.loss(m.create(logits), m.create(y)).getFloat(), 1e-6);
        }
    }
}
