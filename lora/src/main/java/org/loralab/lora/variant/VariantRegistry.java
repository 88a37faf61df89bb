package org.loralab.lora.variant;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import org.loralab.lora.variant.lora.LoraVariant;

/**
 * Finds variants by name: the built-in "lora", those registered with {@link #register}, and those
 * listed in {@code META-INF/services/org.loralab.lora.variant.Variant}.
 */
public final class VariantRegistry {
    private static final Map<String, Variant> VARIANTS = new LinkedHashMap<>();

    static {
        register(new LoraVariant());
        for (Variant v : ServiceLoader.load(Variant.class, VariantRegistry.class.getClassLoader())) {
            VARIANTS.putIfAbsent(v.name(), v);
        }
    }

    private VariantRegistry() {}

    /** Registers (or replaces) a variant under its name. */
    public static synchronized void register(Variant variant) {
        VARIANTS.put(variant.name().toLowerCase(Locale.ROOT), variant);
    }

    /** The variant called {@code name}; fails with the known names. */
    public static synchronized Variant get(String name) {
        Variant v = VARIANTS.get(name.toLowerCase(Locale.ROOT));
        if (v == null) {
            throw new IllegalArgumentException(
                    "unknown adapter variant '" + name + "'; known: " + VARIANTS.keySet());
        }
        return v;
    }

    /** Every known variant name. */
    public static synchronized List<String> names() {
        return new ArrayList<>(VARIANTS.keySet());
    }

    /** The variant that accepts an adapter_config.json map (last registered wins ties); fails if none. */
    public static synchronized Variant forConfig(Map<String, Object> json) {
        Variant found = null;
        for (Variant v : VARIANTS.values()) {
            if (v.accepts(json)) {
                found = v;
            }
        }
        if (found == null) {
            throw new IllegalArgumentException("no adapter variant reads peft_type "
                    + json.get("peft_type") + "; known variants: " + VARIANTS.keySet());
        }
        return found;
    }
}
