package org.loralab.lora.hf.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loralab.lora.hf.HfModels;
import org.loralab.lora.hf.LoadOptions;
import org.loralab.lora.io.safetensors.Safetensors;
import org.loralab.lora.io.safetensors.TensorSource;
import org.loralab.lora.testing.ManagedTest;

/** Bad BERT / RoBERTa input: one line that names the file and the key or tensor, and nothing returned. */
class BertBadInputTest extends ManagedTest {

    /** A copy of a fixture with config.json edited by {@code edit} and the tensors {@code drop} left out. */
    private Path copy(Path tmp, String name, String from, String to, String drop) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        String config = Files.readString(BertFixtures.dir(name).resolve("config.json"));
        assertTrue(config.contains(from), from);
        Files.writeString(dir.resolve("config.json"), config.replace(from, to));
        try (TensorSource src = Safetensors.openCheckpoint(BertFixtures.dir(name))) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (String t : src.tensors().keySet()) {
                if (!t.equals(drop)) {
                    tensors.put(t, src.read(t, m, DataType.FLOAT32));
                }
            }
            Safetensors.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        }
        return dir;
    }

    private static String oneLine(Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HfModels.load(dir, LoadOptions.defaults()).close());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void relativePositionEmbeddingsAreRefusedByName(@TempDir Path tmp) throws IOException {
        Path dir = copy(tmp, "bert", "\"position_embedding_type\": \"absolute\"",
                "\"position_embedding_type\": \"relative_key_query\"", "");
        String msg = oneLine(dir);
        assertTrue(msg.contains("config.json") && msg.contains("position_embedding_type")
                && msg.contains("relative_key_query") && msg.contains("supported: absolute"), msg);
    }

    @Test
    void unknownHiddenActIsRefusedByName(@TempDir Path tmp) throws IOException {
        String msg = oneLine(copy(tmp, "roberta", "\"hidden_act\": \"gelu_new\"", "\"hidden_act\": \"mish\"", ""));
        assertTrue(msg.contains("hidden_act") && msg.contains("mish") && msg.contains("gelu_new"), msg);
    }

    @Test
    void missingTensorIsNamedInOneLine(@TempDir Path tmp) throws IOException {
        String missing = "roberta.encoder.layer.1.attention.self.value.weight";
        String msg = oneLine(copy(tmp, "roberta", "\"model_type\"", "\"model_type\"", missing));
        assertTrue(msg.contains("missing tensor \"" + missing + "\""), msg);
        assertTrue(msg.contains(tmp.resolve("roberta").toString()), msg);
    }

    @Test
    void labelsThatDisagreeWithTheCheckpointAreAShapeError(@TempDir Path tmp) throws IOException {
        String msg = oneLine(copy(tmp, "bert", "\"2\": \"positive\"", "\"2\": \"positive\", \"3\": \"other\"", ""));
        assertTrue(msg.contains("tensor \"classifier.") && msg.contains("[3") && msg.contains("expects [4"), msg);
    }

    @Test
    void unknownProblemTypeAndDecoderAreRefusedByName(@TempDir Path tmp) throws IOException {
        String msg = oneLine(copy(tmp, "bert", "\"single_label_classification\"", "\"ranking\"", ""));
        assertTrue(msg.contains("problem_type") && msg.contains("ranking"), msg);
        Path decoder = copy(tmp.resolve("d"), "bert", "\"use_cache\": true", "\"use_cache\": true, \"is_decoder\": true",
                "");
        assertTrue(oneLine(decoder).contains("is_decoder"));
    }

    @Test
    void rowsOfDifferentLengthsOrIdsOutsideTheVocabularyAreRefused() {
        try (SequenceClassifier cls = SequenceClassifier.load(BertFixtures.dir("bert"))) {
            IllegalArgumentException ragged = assertThrows(IllegalArgumentException.class,
                    () -> cls.logits(m, new long[][] {{5, 6, 7}, {5, 6}}, new long[][] {{1, 1, 1}, {1, 1}}));
            assertTrue(ragged.getMessage().contains("row 1"), ragged.getMessage());
            IllegalArgumentException vocab = assertThrows(IllegalArgumentException.class,
                    () -> cls.logits(m, new long[][] {{5, 100}}, new long[][] {{1, 1}}));
            assertEquals("inputIds[0][1] = 100 is outside 0..99", vocab.getMessage());
        }
    }
}
