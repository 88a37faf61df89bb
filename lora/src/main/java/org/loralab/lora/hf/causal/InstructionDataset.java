package org.loralab.lora.hf.causal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.loralab.lora.hf.tokenizer.ChatMessage;

/**
 * Reads instruction data in JSON Lines, one example a line, in either of the two layouts TRL and most datasets use:
 * {@code {"prompt": "...", "response": "..."}} (also "instruction"/"output", "completion") or
 * {@code {"messages": [{"role": "user", "content": "..."}, ..., {"role": "assistant", "content": "..."}]}}, where the
 * last message must be the assistant's and is what is learned. Blank lines are skipped.
 */
public final class InstructionDataset {
    private static final String[][] PAIRS = {{"prompt", "response"}, {"prompt", "completion"},
            {"instruction", "output"}};

    private InstructionDataset() {}

    public static List<InstructionExample> read(Path jsonl) {
        if (!Files.isRegularFile(jsonl)) {
            throw new IllegalArgumentException("no instruction file at " + jsonl);
        }
        List<InstructionExample> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(jsonl, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (!line.isBlank()) {
                    out.add(parse(line, jsonl, n));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(jsonl + " holds no examples");
        }
        return out;
    }

    static InstructionExample parse(String line, Path file, int n) {
        String where = file.getFileName() + " line " + n + ": ";
        JsonObject o;
        try {
            JsonElement e = JsonParser.parseString(line);
            if (!e.isJsonObject()) {
                throw new IllegalArgumentException(where + "expected a JSON object");
            }
            o = e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(where + "not valid JSON");
        }
        if (o.has("messages")) {
            return messages(o.get("messages"), where);
        }
        for (String[] p : PAIRS) {
            if (o.has(p[0]) && o.has(p[1])) {
                return InstructionExample.of(text(o, p[0], where), text(o, p[1], where));
            }
        }
        throw new IllegalArgumentException(where + "expected \"prompt\" and \"response\" (or \"messages\"), got "
                + o.keySet());
    }

    private static InstructionExample messages(JsonElement e, String where) {
        if (!e.isJsonArray() || e.getAsJsonArray().size() < 2) {
            throw new IllegalArgumentException(where + "\"messages\" must be a list of at least two messages");
        }
        JsonArray a = e.getAsJsonArray();
        List<ChatMessage> all = new ArrayList<>();
        for (JsonElement m : a) {
            if (!m.isJsonObject()) {
                throw new IllegalArgumentException(where + "each message must be {\"role\": ..., \"content\": ...}");
            }
            all.add(new ChatMessage(text(m.getAsJsonObject(), "role", where), text(m.getAsJsonObject(), "content", where)));
        }
        ChatMessage last = all.get(all.size() - 1);
        if (!last.role().equals("assistant")) {
            throw new IllegalArgumentException(where + "the last message must be the assistant's (it is what is learned), got "
                    + last.role());
        }
        return new InstructionExample(all.subList(0, all.size() - 1), last.content());
    }

    private static String text(JsonObject o, String key, String where) {
        JsonElement v = o.get(key);
        if (v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException(where + "\"" + key + "\" must be a string");
        }
        return v.getAsString();
    }
}
