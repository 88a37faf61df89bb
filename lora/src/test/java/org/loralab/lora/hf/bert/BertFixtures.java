package org.loralab.lora.hf.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The tiny BERT / RoBERTa fixtures of {@code tools/hf-fixtures/make_bert_fixture.py} (test resources
 * {@code hf/bert-tiny}) with the inputs and logits of its independent Python forward.
 */
final class BertFixtures {
    private BertFixtures() {}

    /** "bert" or "roberta" (a model directory), or "" for the fixture root. */
    static Path dir(String name) {
        try {
            Path root = Path.of(BertFixtures.class.getResource("/hf/bert-tiny").toURI());
            return name.isEmpty() ? root : root.resolve(name);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The reference record of one model: input_ids, attention_mask, token_type_ids, lengths, logits, ... */
    static JsonObject expected(String name) {
        try {
            return JsonParser.parseString(Files.readString(dir("expected.json"))).getAsJsonObject()
                    .getAsJsonObject(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long[][] longs(JsonObject o, String key) {
        JsonArray rows = o.getAsJsonArray(key);
        long[][] out = new long[rows.size()][];
        for (int b = 0; b < out.length; b++) {
            JsonArray row = rows.get(b).getAsJsonArray();
            out[b] = new long[row.size()];
            for (int t = 0; t < out[b].length; t++) {
                out[b][t] = row.get(t).getAsLong();
            }
        }
        return out;
    }

    /** A [B][C] array of the JSON, flattened row by row. */
    static float[] flatFloats(JsonObject o, String key) {
        JsonArray rows = o.getAsJsonArray(key);
        int cols = rows.get(0).getAsJsonArray().size();
        float[] out = new float[rows.size() * cols];
        for (int b = 0; b < rows.size(); b++) {
            for (int c = 0; c < cols; c++) {
                out[b * cols + c] = rows.get(b).getAsJsonArray().get(c).getAsFloat();
            }
        }
        return out;
    }

    static void assertClose(float[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= tol)) {
                throw new AssertionError(what + " [" + i + "]: expected " + expected[i] + " got " + actual[i]
                        + " (tolerance " + tol + ")");
            }
        }
    }
}
