package org.loralab.ext.magic;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.loralab.lora.util.EditDistance;

/**
 * Parsed magic options ({@code key=value} words on a line, or {@code key: value} lines in a cell body), checked
 * against the keys a magic knows. Errors read {@code %lora: unknown option 'rnk' (did you mean 'r'?)}.
 */
public final class Options {
    private final String magic;
    private final Map<String, String> values;

    private Options(String magic, Map<String, String> values) {
        this.magic = magic;
        this.values = values;
    }

    /** {@code key=value} words; a word without '=' is an error. */
    public static Options ofWords(String magic, List<String> words, Set<String> known) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String w : words) {
            int eq = w.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(magic + ": expected key=value, got '" + w + "'; options: "
                        + String.join(", ", new java.util.TreeSet<>(known)));
            }
            put(magic, out, w.substring(0, eq), w.substring(eq + 1), known);
        }
        return new Options(magic, out);
    }

    /** One {@code key: value} (or {@code key=value}) per line; blank lines and {@code #} comments are skipped. */
    public static Options ofLines(String magic, String body, Set<String> known) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String raw : body.split("\\R")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("//")) {
                continue;
            }
            int sep = firstOf(line, ':', '=');
            if (sep <= 0) {
                throw new IllegalArgumentException(magic + ": expected 'key: value', got '" + line + "'");
            }
            put(magic, out, line.substring(0, sep), line.substring(sep + 1), known);
        }
        return new Options(magic, out);
    }

    private static int firstOf(String s, char a, char b) {
        int i = s.indexOf(a);
        int j = s.indexOf(b);
        return i < 0 ? j : j < 0 ? i : Math.min(i, j);
    }

    private static void put(String magic, Map<String, String> out, String rawKey, String value, Set<String> known) {
        String key = rawKey.strip().toLowerCase(Locale.ROOT).replace('-', '_');
        if (!known.contains(key)) {
            String near = nearest(key, known);
            throw new IllegalArgumentException(magic + ": unknown option '" + rawKey.strip() + "'"
                    + (near == null ? "" : " (did you mean '" + near + "'?)")
                    + (near == null ? "; options: " + String.join(", ", new java.util.TreeSet<>(known)) : ""));
        }
        if (out.put(key, value.strip()) != null) {
            throw new IllegalArgumentException(magic + ": option '" + key + "' given twice");
        }
    }

    /** The known key closest by edit distance (at most 2, or a prefix), else null. */
    static String nearest(String key, Set<String> known) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String k : new java.util.TreeSet<>(known)) {
            int d = EditDistance.levenshtein(key, k);
            if (d < bestD) {
                bestD = d;
                best = k;
            }
        }
        if (best != null && bestD <= Math.max(2, best.length() / 3)) {
            return best;
        }
        for (String k : new java.util.TreeSet<>(known)) {
            if (k.startsWith(key) || key.startsWith(k)) {
                return k;
            }
        }
        return null;
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    public String string(String key, String def) {
        return values.getOrDefault(key, def);
    }

    public int integer(String key, int def) {
        String v = values.get(key);
        if (v == null) {
            return def;
        }
        try {
            return Integer.parseInt(v.replace("_", ""));
        } catch (NumberFormatException e) {
            throw bad(key, v, "an integer");
        }
    }

    public long longValue(String key, long def) {
        String v = values.get(key);
        if (v == null) {
            return def;
        }
        try {
            return Long.parseLong(v.replace("_", ""));
        } catch (NumberFormatException e) {
            throw bad(key, v, "an integer");
        }
    }

    public double number(String key, double def) {
        String v = values.get(key);
        if (v == null) {
            return def;
        }
        return finite(key, v, "a finite number");
    }

    /** No option takes NaN or an infinity; 1e400 parses as one. */
    private double finite(String key, String v, String what) {
        double d;
        try {
            d = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw bad(key, v, what);
        }
        if (!Double.isFinite(d)) {
            throw bad(key, v, what + " (" + v + " is " + d + ")");
        }
        return d;
    }

    public boolean flag(String key, boolean def) {
        String v = values.get(key);
        if (v == null) {
            return def;
        }
        switch (v.toLowerCase(Locale.ROOT)) {
            case "true": case "yes": case "on": case "1": return true;
            case "false": case "no": case "off": case "0": return false;
            default: throw bad(key, v, "true or false");
        }
    }

    /** A comma-separated list (brackets and quotes tolerated). */
    public List<String> list(String key, List<String> def) {
        String v = values.get(key);
        if (v == null) {
            return def;
        }
        List<String> out = new ArrayList<>();
        for (String s : v.replaceAll("[\\[\\]\"']", "").split(",")) {
            if (!s.isBlank()) {
                out.add(s.strip());
            }
        }
        if (out.isEmpty()) {
            throw bad(key, v, "a comma-separated list");
        }
        return out;
    }

    public List<Integer> integers(String key, List<Integer> def) {
        if (!has(key)) {
            return def;
        }
        List<Integer> out = new ArrayList<>();
        for (String s : list(key, null)) {
            try {
                out.add(Integer.parseInt(s));
            } catch (NumberFormatException e) {
                throw bad(key, s, "integers");
            }
        }
        return out;
    }

    public List<Double> numbers(String key, List<Double> def) {
        if (!has(key)) {
            return def;
        }
        List<Double> out = new ArrayList<>();
        for (String s : list(key, null)) {
            out.add(finite(key, s, "finite numbers"));
        }
        return out;
    }

    private IllegalArgumentException bad(String key, String v, String what) {
        return new IllegalArgumentException(magic + ": option '" + key + "' needs " + what + ", got '" + v + "'");
    }

    public static Set<String> keys(String... keys) {
        return Set.copyOf(Arrays.asList(keys));
    }
}
