package org.loralab.lora.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.loralab.lora.io.safetensors.Names;

/**
 * Typed reads of adapter_config.json values, each refusing a value of the wrong type or range with one line that names
 * the file, the key and what was expected: {@code adapter_config.json: key 'r' must be a positive integer, got 4.7}.
 * An absent key or a JSON null reads as null (the caller keeps PEFT's default).
 */
final class ConfigKeys {
    private final Map<String, Object> json;
    private final String source;

    ConfigKeys(Map<String, Object> json, String source) {
        this.json = json;
        this.source = source;
    }

    Object raw(String key) {
        return json.get(key);
    }

    /** A positive integer; 4.0 is 4, 4.7 and "4" are refused. */
    Integer positiveInt(String key) {
        return positiveInt(key, json.get(key));
    }

    Integer positiveInt(String key, Object v) {
        if (v == null) {
            return null;
        }
        if (!(v instanceof Number n) || !isInteger(n) || n.doubleValue() < 1 || n.doubleValue() > Integer.MAX_VALUE) {
            throw wrong(key, "a positive integer", v);
        }
        return n.intValue();
    }

    /** A non-negative integer (layer indices). */
    Integer index(String key, Object v) {
        if (!(v instanceof Number n) || !isInteger(n) || n.doubleValue() < 0 || n.doubleValue() > Integer.MAX_VALUE) {
            throw wrong(key, "a non-negative integer", v);
        }
        return n.intValue();
    }

    /** A finite number >= 0 (alpha): 1e400, NaN, Infinity and negatives are refused. */
    Double nonNegative(String key) {
        return nonNegative(key, json.get(key));
    }

    Double nonNegative(String key, Object v) {
        if (v == null) {
            return null;
        }
        if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue()) || n.doubleValue() < 0) {
            throw wrong(key, "a finite number >= 0", v);
        }
        return n.doubleValue();
    }

    /** A probability in [0, 1). */
    Double probability(String key) {
        Object v = json.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Number n) || !(n.doubleValue() >= 0 && n.doubleValue() < 1)) {
            throw wrong(key, "a number in [0, 1)", v);
        }
        return n.doubleValue();
    }

    /** true or false (not "yes", not 1). */
    Boolean bool(String key) {
        Object v = json.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Boolean b)) {
            throw wrong(key, "true or false", v);
        }
        return b;
    }

    String string(String key) {
        Object v = json.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw wrong(key, "a string", v);
        }
        return s;
    }

    /** One of {@code allowed} (exact spelling). */
    String oneOf(String key, List<String> allowed) {
        String s = string(key);
        if (s != null && !allowed.contains(s)) {
            throw wrong(key, "one of " + String.join(", ", allowed), s);
        }
        return s;
    }

    /** A list of strings. */
    List<String> strings(String key) {
        Object v = json.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof List<?> list)) {
            throw wrong(key, "a list of strings", v);
        }
        List<String> out = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof String s)) {
                throw wrong(key, "a list of strings", o);
            }
            out.add(s);
        }
        return out;
    }

    /** A string (a regex, for target_modules) or a list of strings; null when absent. */
    Object stringOrStrings(String key) {
        Object v = json.get(key);
        if (v == null || v instanceof String) {
            return v;
        }
        if (v instanceof List) {
            return strings(key);
        }
        throw wrong(key, "a string or a list of strings", v);
    }

    /** An object of module name -> positive integer (rank_pattern). */
    Map<String, Integer> intPattern(String key) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : object(key, "an object of module name -> positive integer").entrySet()) {
            String k = key + "." + e.getKey();
            out.put(e.getKey(), positiveInt(k, requireValue(k, e.getValue(), "a positive integer")));
        }
        return out;
    }

    /** An object of module name -> list of booleans (AdaLoRA's rank_pattern: which singular values survive). */
    void maskPattern(String key) {
        for (Map.Entry<String, Object> e : object(key, "an object of module name -> list of booleans").entrySet()) {
            if (!(e.getValue() instanceof List<?> l) || !l.stream().allMatch(o -> o instanceof Boolean)) {
                throw wrong(key + "." + e.getKey(), "a list of booleans", e.getValue());
            }
        }
    }

    /** An object of module name -> finite number >= 0 (alpha_pattern). */
    Map<String, Double> numberPattern(String key) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : object(key, "an object of module name -> number").entrySet()) {
            String k = key + "." + e.getKey();
            out.put(e.getKey(), nonNegative(k, requireValue(k, e.getValue(), "a finite number >= 0")));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> object(String key, String expected) {
        Object v = json.get(key);
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map)) {
            throw wrong(key, expected, v);
        }
        return (Map<String, Object>) v;
    }

    private Object requireValue(String key, Object v, String expected) {
        if (v == null) {
            throw wrong(key, expected, null);
        }
        return v;
    }

    /**
     * Every key not in {@code checked} whose PEFT default (as {@code defaults} holds it) is a boolean, a number or a
     * string must have that type when it is not null: a variant's own options get the same type checks as LoRA's.
     */
    void sameTypesAs(Map<String, Object> defaults, java.util.Set<String> checked) {
        for (Map.Entry<String, Object> e : json.entrySet()) {
            Object d = defaults.get(e.getKey());
            Object v = e.getValue();
            if (v == null || d == null || checked.contains(e.getKey())) {
                continue;
            }
            if (d instanceof Boolean && !(v instanceof Boolean)) {
                throw wrong(e.getKey(), "true or false", v);
            }
            if (d instanceof Number && !(v instanceof Number n && Double.isFinite(n.doubleValue()))) {
                throw wrong(e.getKey(), "a finite number", v);
            }
            if (d instanceof String && !(v instanceof String)) {
                throw wrong(e.getKey(), "a string", v);
            }
        }
    }

    IllegalArgumentException wrong(String key, String expected, Object got) {
        return new IllegalArgumentException(source + ": key '" + Names.clip(key) + "' must be " + expected + ", got "
                + show(got));
    }

    private static boolean isInteger(Number n) {
        double d = n.doubleValue();
        return (n instanceof Long || n instanceof Integer) || (Double.isFinite(d) && d == Math.rint(d));
    }

    /** A JSON value as the user would recognise it, short and on one line. */
    static String show(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String s) {
            // lenient parsing reads a bare NaN or Infinity (as Python's json writes them) as that word
            return List.of("NaN", "Infinity", "-Infinity").contains(s) ? s : "\"" + Names.clip(s) + "\"";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "a list";
        }
        if (v instanceof Double d && Double.isInfinite(d)) {
            return d > 0 ? "Infinity (a number too large for a double)" : "-Infinity";
        }
        return Names.clip(v.toString());
    }
}
