package org.loralab.lora.hf.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loralab.lora.hf.HfModels;
import org.loralab.lora.hf.LoadOptions;
import org.loralab.lora.hf.StateDicts;
import org.loralab.lora.io.safetensors.Safetensors;
import org.loralab.lora.io.safetensors.TensorSource;
import org.loralab.lora.testing.ManagedTest;

/** The GLUE workflow's start: a pretrained encoder (masked-LM or bare checkpoint) under a new classifier. */
class NewHeadTest extends ManagedTest {
    private static final String QUERY = "encoder.layer.0.attention.self.query.weight";

    /**
     * The fixture's encoder saved as another architecture: its own tensors renamed by {@code rename} (null drops
     * one), plus {@code extra} head tensors, with {@code architectures} replaced and no labels.
     */
    private Path resave(Path dir, String name, String architecture, java.util.function.UnaryOperator<String> rename,
            Map<String, long[]> extra) throws IOException {
        Files.createDirectories(dir);
        String config = Files.readString(BertFixtures.dir(name).resolve("config.json"))
                .replaceAll("\"architectures\": \\[\\s*\"\\w+\"\\s*\\]", "\"architectures\": [\"" + architecture + "\"]")
                .replaceAll("\"problem_type\": \"\\w+\",", "");
        assertTrue(config.contains(architecture));
        Files.writeString(dir.resolve("config.json"), config);
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        try (TensorSource src = Safetensors.openCheckpoint(BertFixtures.dir(name))) {
            for (String t : src.tensors().keySet()) {
                String to = rename.apply(t);
                if (to != null) {
                    tensors.put(to, src.read(t, m, DataType.FLOAT32));
                }
            }
        }
        extra.forEach((k, shape) -> tensors.put(k, m.randomNormal(new ai.djl.ndarray.types.Shape(shape))));
        Safetensors.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        return dir;
    }

    private float[] checkpointTensor(String name, String tensor) {
        try (TensorSource src = Safetensors.openCheckpoint(BertFixtures.dir(name))) {
            return src.read(tensor, m, DataType.FLOAT32).toFloatArray();
        }
    }

    @Test
    void robertaForMaskedLmGetsANewHeadAndKeepsItsEncoder(@TempDir Path tmp) throws IOException {
        Path dir = resave(tmp.resolve("mlm"), "roberta", "RobertaForMaskedLM",
                t -> t.startsWith("classifier.") ? null : t,
                Map.of("lm_head.dense.weight", new long[] {32, 32}, "lm_head.dense.bias", new long[] {32},
                        "lm_head.layer_norm.weight", new long[] {32}, "lm_head.layer_norm.bias", new long[] {32},
                        "lm_head.bias", new long[] {100}));
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> HfModels.load(dir, LoadOptions.defaults()));
        assertFalse(refused.getMessage().contains("\n"), refused.getMessage());
        List<String> labels = List.of("no", "yes");
        try (SequenceClassifier a = SequenceClassifier.forNewLabels(dir, labels, LoadOptions.defaults(), 7);
                SequenceClassifier b = SequenceClassifier.forNewLabels(dir, labels, LoadOptions.defaults(), 7)) {
            assertEquals(labels, a.labels());
            Map<String, Parameter> p = StateDicts.parameters(a.block());
            assertArrayEquals(checkpointTensor("roberta", "roberta." + QUERY),
                    p.get("roberta." + QUERY).getArray().toFloatArray());
            assertFalse(p.containsKey("roberta.pooler.dense.weight"));
            float[] w = p.get("classifier.out_proj.weight").getArray().toFloatArray();
            assertEquals(64, w.length);
            double sq = 0;
            for (float v : w) {
                sq += v * v;
            }
            double std = Math.sqrt(sq / w.length);
            assertTrue(std > 0.012 && std < 0.028, "normal with std initializer_range 0.02: " + std);
            assertEquals(0f, p.get("classifier.dense.bias").getArray().abs().max().getFloat());
            long[][] ids = {{0, 5, 9, 2}};
            long[][] mask = {{1, 1, 1, 1}};
            float[] la = a.logits(m, ids, mask).toFloatArray();
            assertEquals(2, la.length);
            assertArrayEquals(la, b.logits(m, ids, mask).toFloatArray(), "same seed, same head");
        }
    }

    @Test
    void bareBertModelWithoutPoolerGetsANewPoolerAndHead(@TempDir Path tmp) throws IOException {
        Path dir = resave(tmp.resolve("bare"), "bert", "BertModel",
                t -> t.startsWith("bert.") && !t.startsWith("bert.pooler.") ? t.substring(5) : null, Map.of());
        try (SequenceClassifier cls = SequenceClassifier.forNewLabels(dir, List.of("a", "b", "c", "d"),
                LoadOptions.defaults(), 1)) {
            Map<String, Parameter> p = StateDicts.parameters(cls.block());
            assertArrayEquals(checkpointTensor("bert", "bert." + QUERY), p.get("bert." + QUERY).getArray()
                    .toFloatArray());
            float[] pooler = p.get("bert.pooler.dense.weight").getArray().toFloatArray();
            assertTrue(pooler[0] != 0f && Math.abs(pooler[0]) < 0.2f, "a new pooler, drawn: " + pooler[0]);
            assertEquals(4 * 32, p.get("classifier.weight").getArray().size());
            assertEquals(4, cls.logits(m, new long[][] {{3, 4, 5}}, new long[][] {{1, 1, 1}}).size());
        }
    }
}
