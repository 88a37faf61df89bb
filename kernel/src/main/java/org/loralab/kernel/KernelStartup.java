package org.loralab.kernel;

import java.util.Map;

/** What the kernel does once at start: default imports and extensions, then the classpath setting. */
public final class KernelStartup {

    /** Extra classpath (globs allowed) added at start-up; extensions found there are installed. */
    public static final String ENV_CLASSPATH = "LORALAB_CLASSPATH";

    private KernelStartup() {
    }

    public static void run(JShellKernel kernel, Map<String, String> env) {
        kernel.onStartup();
        String classpath = env.get(ENV_CLASSPATH);
        if (classpath != null && !classpath.isBlank()) {
            try {
                kernel.addToClasspath(classpath);
            } catch (RuntimeException e) {
                System.err.println("loralab kernel: cannot use " + ENV_CLASSPATH + "=" + classpath + ": " + e);
            }
        }
    }
}
