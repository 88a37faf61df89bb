package org.loralab.lora.variant.lora;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;

/** Registry of the named {@link LoraInitializer}s (PiSSA, OLoRA, ...). */
public final class LoraInits {
    private static final Map<String, LoraInitializer> INITS = new LinkedHashMap<>();

    static {
        for (LoraInitializer i : ServiceLoader.load(LoraInitializer.class, LoraInits.class.getClassLoader())) {
            INITS.putIfAbsent(i.family().toLowerCase(Locale.ROOT), i);
        }
    }

    private LoraInits() {}

    /** Registers (or replaces) an initializer for its family. */
    public static synchronized void register(LoraInitializer init) {
        INITS.put(init.family().toLowerCase(Locale.ROOT), init);
    }

    /** The initializer for a family, or null. */
    public static synchronized LoraInitializer find(String family) {
        return INITS.get(family.toLowerCase(Locale.ROOT));
    }

    /** Known families. */
    public static synchronized java.util.Set<String> families() {
        return new java.util.LinkedHashSet<>(INITS.keySet());
    }
}
