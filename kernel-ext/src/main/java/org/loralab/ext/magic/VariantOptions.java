package org.loralab.ext.magic;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.variant.Variant;
import org.loralab.lora.variant.VariantRegistry;

/**
 * The {@code %lora inject} options of one variant, read from {@link Variant#optionDefaults()} (the one place each
 * variant declares its keys): checks a magic's words against them and puts the values, typed, into the config.
 */
final class VariantOptions {
    private VariantOptions() {}

    /** The registered variant called {@code name}, or a one-line error naming the nearest one. */
    static Variant variant(String magic, String name) {
        List<String> names = VariantRegistry.names();
        if (!names.contains(name.toLowerCase(Locale.ROOT))) {
            String near = Options.nearest(name.toLowerCase(Locale.ROOT), Set.copyOf(names));
            throw new IllegalArgumentException(magic + ": unknown variant '" + name + "'"
                    + (near == null ? "" : " (did you mean '" + near + "'?)") + "; variants: "
                    + String.join(", ", names));
        }
        return VariantRegistry.get(name);
    }

    /** The variant's option keys with their defaults, sorted by key. */
    static Map<String, Object> defaults(Variant v) {
        return new TreeMap<>(v.optionDefaults());
    }

    /** "key=default" for each option, or "none". */
    static String describe(Variant v) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Object> e : defaults(v).entrySet()) {
            b.append(b.length() == 0 ? "" : " ").append(e.getKey()).append('=').append(e.getValue());
        }
        return b.length() == 0 ? "none" : b.toString();
    }

    /**
     * Splits {@code key=value} words into common ones (returned, for {@link Options}) and the variant's own (checked,
     * typed, and put on {@code builder}). An unknown key fails before anything is changed.
     */
    static List<String> split(String magic, List<String> words, Set<String> common, Variant v,
            AdapterConfig.Builder builder) {
        Map<String, String> own = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String k : v.optionDefaults().keySet()) {
            own.put(k, k);
        }
        List<String> rest = new java.util.ArrayList<>();
        Map<String, Object> typed = new LinkedHashMap<>();
        for (String w : words) {
            int eq = w.indexOf('=');
            String key = eq <= 0 ? null : w.substring(0, eq).strip().replace('-', '_');
            if (key == null || common.contains(key.toLowerCase(Locale.ROOT))) {
                rest.add(w);
            } else if (own.containsKey(key)) {
                String canonical = own.get(key);
                typed.put(canonical, parse(magic, canonical, w.substring(eq + 1).strip(),
                        v.optionDefaults().get(canonical)));
            } else {
                Set<String> known = new TreeSet<>(common);
                known.addAll(own.values());
                String near = Options.nearest(key, known);
                if (near != null && common.contains(near)) {
                    rest.add(w); // a misspelt common option: Options reports it as for any variant
                    continue;
                }
                throw new IllegalArgumentException(magic + ": unknown option '" + key + "' for variant '" + v.name()
                        + "'" + (near == null ? "" : " (did you mean '" + near + "'?)") + "; " + v.name()
                        + " options: " + describe(v) + "; common: " + String.join(", ", new TreeSet<>(common)));
            }
        }
        typed.forEach(builder::option);
        return rest;
    }

    /** The value as the default's type (Boolean, Long, Double); other defaults take a number or a string as given. */
    static Object parse(String magic, String key, String value, Object def) {
        try {
            if (def instanceof Boolean) {
                if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                    throw new NumberFormatException();
                }
                return Boolean.parseBoolean(value.toLowerCase(Locale.ROOT));
            }
            if (def instanceof Integer || def instanceof Long) {
                return Long.parseLong(value);
            }
            if (def instanceof Double || def instanceof Float) {
                double d = Double.parseDouble(value);
                if (!Double.isFinite(d)) {
                    throw new IllegalArgumentException(magic + ": option '" + key + "' takes a finite number (default "
                            + def + "), got '" + value + "'");
                }
                return d;
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(magic + ": option '" + key + "' takes a "
                    + def.getClass().getSimpleName().toLowerCase(Locale.ROOT) + " (default " + def + "), got '"
                    + value + "'");
        }
        if (value.matches("[+-]?\\d+")) {
            return Long.parseLong(value);
        }
        if (value.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
            double d = Double.parseDouble(value);
            if (!Double.isFinite(d)) {
                throw new IllegalArgumentException(magic + ": option '" + key + "' is out of range: " + value);
            }
            return d;
        }
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value.toLowerCase(Locale.ROOT));
        }
        return value;
    }
}
