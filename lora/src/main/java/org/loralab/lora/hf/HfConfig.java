package org.loralab.lora.hf;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face {@code config.json}: the top-level object with typed getters. A getter whose value has the wrong
 * type fails with one line naming the file, the key and the expected type; an absent key takes the default.
 */
public final class HfConfig {
    /** Larger than any real config.json by far; a bigger file is refused before it is read. */
    static final long MAX_BYTES = 16L << 20;

    private final Path file;
    private final JsonObject json;

    private HfConfig(Path file, JsonObject json) {
        this.file = file;
        this.json = json;
    }

    /** Reads and validates {@code config.json} (a JSON object, at most 16 MiB). */
    public static HfConfig read(Path configJson) {
        try {
            long size = Files.size(configJson);
            if (size > MAX_BYTES) {
                throw new IllegalArgumentException(configJson + ": " + size + " bytes is too large for a config.json"
                        + " (limit " + MAX_BYTES + "); point at a model directory's config.json");
            }
            String text = Files.readString(configJson, StandardCharsets.UTF_8);
            return parse(configJson, text);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(configJson + " does not exist; a Hugging Face model directory needs"
                    + " its config.json", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + configJson + ": " + e.getMessage(), e);
        }
    }

    /** Parses config text; {@code file} names it in errors and gives {@link #directory()}. */
    public static HfConfig parse(Path file, String text) {
        JsonElement root;
        try {
            root = JsonParser.parseString(text);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(file + " is not valid JSON (" + firstLine(e.getMessage())
                    + "); re-save it with save_pretrained or fix it", e);
        }
        if (root == null || !root.isJsonObject()) {
            throw new IllegalArgumentException(file + " must hold a JSON object ({...}), got "
                    + (root == null || root.isJsonNull() ? "null" : kind(root)));
        }
        return new HfConfig(file, root.getAsJsonObject());
    }

    /** {@code model_type}, or "" when absent. */
    public String modelType() {
        return getString("model_type", "");
    }

    /** {@code architectures} (empty when absent). */
    public List<String> architectures() {
        JsonElement e = json.get("architectures");
        if (e == null || e.isJsonNull()) {
            return List.of();
        }
        if (!e.isJsonArray()) {
            throw typeError("architectures", "a list of strings", e);
        }
        List<String> out = new ArrayList<>();
        for (JsonElement a : e.getAsJsonArray()) {
            if (!a.isJsonPrimitive() || !a.getAsJsonPrimitive().isString()) {
                throw typeError("architectures", "a list of strings", e);
            }
            out.add(a.getAsString());
        }
        return Collections.unmodifiableList(out);
    }

    public boolean has(String key) {
        JsonElement e = json.get(key);
        return e != null && !e.isJsonNull();
    }

    public int getInt(String key) {
        return intValue(key, required(key));
    }

    public int getInt(String key, int dflt) {
        return has(key) ? intValue(key, json.get(key)) : dflt;
    }

    public double getDouble(String key) {
        return doubleValue(key, required(key));
    }

    public double getDouble(String key, double dflt) {
        return has(key) ? doubleValue(key, json.get(key)) : dflt;
    }

    public String getString(String key, String dflt) {
        if (!has(key)) {
            return dflt;
        }
        JsonElement e = json.get(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw typeError(key, "a string", e);
        }
        return e.getAsString();
    }

    public boolean getBool(String key, boolean dflt) {
        if (!has(key)) {
            return dflt;
        }
        JsonElement e = json.get(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw typeError(key, "true or false", e);
        }
        return e.getAsBoolean();
    }

    /** The value as plain Java: Map (insertion order), List, Number (Long or Double), String, Boolean, or null. */
    public Object raw(String key) {
        return toJava(json.get(key));
    }

    /** Top-level keys, in file order. */
    public List<String> keys() {
        return List.copyOf(json.keySet());
    }

    /** The directory holding config.json. */
    public Path directory() {
        Path parent = file.toAbsolutePath().getParent();
        return parent == null ? file.toAbsolutePath() : parent;
    }

    /** The config file. */
    public Path file() {
        return file;
    }

    /** id2label in index order ("LABEL_i" for num_labels, default 2, when absent); checks num_labels agrees. */
    public List<String> labels() {
        List<String> out = new ArrayList<>();
        Object raw = raw("id2label");
        if (raw == null) {
            int n = getInt("num_labels", 2);
            if (n <= 0) {
                throw new IllegalArgumentException(file() + ": num_labels must be positive, got " + n);
            }
            for (int i = 0; i < n; i++) {
                out.add("LABEL_" + i);
            }
            return out;
        }
        if (!(raw instanceof Map<?, ?> map) || map.isEmpty()) {
            throw typeError("id2label", "an object {\"0\": \"label\", ...}", raw);
        }
        out.addAll(Collections.nCopies(map.size(), null));
        for (Map.Entry<?, ?> e : map.entrySet()) {
            int index;
            try {
                index = Integer.parseInt(String.valueOf(e.getKey()));
            } catch (NumberFormatException notIndex) {
                throw typeError("id2label", "keyed by class index 0.." + (map.size() - 1), e.getKey());
            }
            if (index < 0 || index >= map.size() || out.get(index) != null || !(e.getValue() instanceof String s)) {
                throw typeError("id2label", "one string label per class index 0.." + (map.size() - 1), raw);
            }
            out.set(index, s);
        }
        if (has("num_labels") && getInt("num_labels") != out.size()) {
            throw new IllegalArgumentException(file() + ": num_labels " + getInt("num_labels") + " disagrees with"
                    + " id2label's " + out.size() + " labels");
        }
        return out;
    }

    /** {@link #getInt(String, int)} that must be positive. */
    public int positiveInt(String key, int dflt) {
        int v = getInt(key, dflt);
        if (v <= 0) {
            throw new IllegalArgumentException(file() + ": " + key + " must be positive, got " + v);
        }
        return v;
    }

    /** One line naming this file, {@code key} and what was expected. */
    public IllegalArgumentException typeError(String key, String expected, Object actual) {
        String got = actual instanceof JsonElement je ? je.toString() : String.valueOf(actual);
        if (got.length() > 60) {
            got = got.substring(0, 57) + "...";
        }
        return new IllegalArgumentException(file + ": \"" + key + "\" must be " + expected + ", got " + got);
    }

    private JsonElement required(String key) {
        if (!has(key)) {
            throw new IllegalArgumentException(file + ": required key \"" + key + "\" is missing");
        }
        return json.get(key);
    }

    private int intValue(String key, JsonElement e) {
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            try {
                return new BigDecimal(e.getAsString()).intValueExact();
            } catch (ArithmeticException | NumberFormatException ignored) {
                // falls through to the type error
            }
        }
        throw typeError(key, "an integer", e);
    }

    private double doubleValue(String key, JsonElement e) {
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            return e.getAsDouble();
        }
        throw typeError(key, "a number", e);
    }

    private static Object toJava(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (e.isJsonObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> kv : e.getAsJsonObject().entrySet()) {
                m.put(kv.getKey(), toJava(kv.getValue()));
            }
            return Collections.unmodifiableMap(m);
        }
        if (e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            List<Object> l = new ArrayList<>(a.size());
            for (JsonElement x : a) {
                l.add(toJava(x));
            }
            return Collections.unmodifiableList(l);
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        if (p.isBoolean()) {
            return p.getAsBoolean();
        }
        if (p.isNumber()) {
            BigDecimal d = new BigDecimal(p.getAsString());
            try {
                return d.longValueExact();
            } catch (ArithmeticException notIntegral) {
                return d.doubleValue();
            }
        }
        return p.getAsString();
    }

    private static String kind(JsonElement e) {
        if (e.isJsonArray()) {
            return "a list";
        }
        return "the value " + e;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "parse error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
