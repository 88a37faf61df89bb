package org.loralab.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernelspec's LORALAB_CLASSPATH: globs as written by ./loralab, extensions installed at start. */
class StartupClasspathTest {

    @TempDir
    Path dir;

    @Test
    void classpathSettingAddsGlobbedJarsAndInstallsTheirExtensions() throws Exception {
        // laid out like kernel-ext: target/kernel-ext-<version>.jar plus target/lib/*.jar
        Path target = Files.createDirectories(dir.resolve("kernel-ext/target"));
        Path lib = Files.createDirectories(target.resolve("lib"));
        TestJars.build(target, "kernel-ext-0.1.0-SNAPSHOT", Map.of("org.loralab.testext.LabExtension", """
                package org.loralab.testext;
                import org.dflib.jjava.jupyter.Extension;
                import org.dflib.jjava.jupyter.kernel.BaseKernel;
                import org.dflib.jjava.jupyter.kernel.magic.LineMagic;
                public class LabExtension implements Extension {
                    public void install(BaseKernel kernel) {
                        kernel.getMagicsRegistry().registerLineMagic("lab",
                            (LineMagic<String, BaseKernel>) (k, args) -> "lab " + org.loralab.testlib.Dep.VALUE);
                    }
                }
                """, "org.loralab.testlib.Dep", """
                package org.loralab.testlib;
                public class Dep { public static final String VALUE = "ok"; }
                """), Map.of(MagicsTest.SERVICES, "org.loralab.testext.LabExtension\n"));
        TestJars.build(lib, "some-dependency-1.0", Map.of("org.loralab.testlib.Other", """
                package org.loralab.testlib;
                public class Other { public static int answer() { return 42; } }
                """), Map.of());
        String setting = lib + "/*" + File.pathSeparator + target + "/kernel-ext-*.jar"
                + File.pathSeparator + dir.resolve("missing/lib") + "/*";

        JShellKernel kernel = new JShellKernelBuilder().build();
        try {
            KernelStartup.run(kernel, Map.of(KernelStartup.ENV_CLASSPATH, setting));
            assertTrue(kernel.installedExtensions().contains("org.loralab.testext.LabExtension"),
                    kernel.installedExtensions().toString());
            assertEquals("lab ok", kernel.evalRaw("%lab"));
            assertEquals(42, kernel.evalRaw("org.loralab.testlib.Other.answer()"));
            assertEquals(2, kernel.addedClasspath().size());
        } finally {
            kernel.onShutdown(false);
        }
    }
}
