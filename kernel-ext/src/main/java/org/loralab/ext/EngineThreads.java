package org.loralab.ext;

import java.util.Map;
import java.util.Properties;

/**
 * PyTorch's intra-op thread count in a notebook kernel: one thread unless the user chose another count. Set at
 * extension install, before the first cell starts DJL's engine (which reads {@value #PROPERTY} once, at start).
 *
 * <p>Why one: the lab's models are small, and libtorch's default (one OpenMP thread per core) made a 189-step
 * fine-tune in the kernel about twice as slow on a 2-core machine (4.5-6.3 s against 2.3-3.2 s), far slower when
 * the cores are shared; and a fixed count makes a seeded run's rounding independent of the machine's core count
 * (reductions are split per thread). Binder already runs with one. It does NOT cure the rare in-kernel divergence
 * of seeded training (tools/kernel-determinism/README.md), which also happens with one thread.
 * {@code LORALAB_TORCH_THREADS=N} (or {@code -Dai.djl.pytorch.num_threads=N}) chooses another count.
 */
public final class EngineThreads {
    /** DJL's system property for {@code at::set_num_threads}, read when the PyTorch engine starts. */
    public static final String PROPERTY = "ai.djl.pytorch.num_threads";
    /** Environment variable that overrides the kernel's default of one thread. */
    public static final String ENV = "LORALAB_TORCH_THREADS";
    public static final int DEFAULT = 1;

    private EngineThreads() {}

    /** {@link #configure(Map, Properties)} on this process's environment and system properties. */
    public static String configure() {
        return configure(System.getenv(), System.getProperties());
    }

    /**
     * Sets {@value #PROPERTY} in {@code props} unless it is already set: to {@value #ENV} when that is a positive
     * integer, else to {@value #DEFAULT}. Returns the value in effect.
     */
    public static String configure(Map<String, String> env, Properties props) {
        String chosen = props.getProperty(PROPERTY);
        if (chosen != null) {
            return chosen;
        }
        String value = Integer.toString(DEFAULT);
        String requested = env.get(ENV);
        if (requested != null && !requested.isBlank()) {
            if (positive(requested.trim())) {
                value = requested.trim();
            } else {
                System.err.println("loralab: " + ENV + "=" + requested + " is not a positive integer; using "
                        + DEFAULT + " PyTorch thread");
            }
        }
        props.setProperty(PROPERTY, value);
        return value;
    }

    private static boolean positive(String s) {
        try {
            return Integer.parseInt(s) > 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
