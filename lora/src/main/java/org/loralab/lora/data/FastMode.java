package org.loralab.lora.data;

/**
 * Fast mode ({@code LORALAB_FAST=1} in the environment, or {@code -Dloralab.fast=true}) shrinks data and steps so
 * notebooks and tests run in seconds; the code path stays the same.
 */
public final class FastMode {
    private FastMode() {}

    public static boolean enabled() {
        String prop = System.getProperty("loralab.fast");
        if (prop != null) {
            return isTrue(prop);
        }
        String env = System.getenv("LORALAB_FAST");
        return env != null && isTrue(env);
    }

    /** {@code fast} when fast mode is on, {@code full} otherwise. */
    public static long limit(long full, long fast) {
        return enabled() ? Math.min(full, fast) : full;
    }

    private static boolean isTrue(String v) {
        String s = v.trim().toLowerCase(java.util.Locale.ROOT);
        return s.equals("1") || s.equals("true") || s.equals("yes");
    }
}
