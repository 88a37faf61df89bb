package org.loralab.kernel;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loralab.kernel.errors.ErrorReport;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MagicsTest {

    static final String EXTENSION = "org.loralab.testext.HelloExtension";
    static final String SERVICES = "META-INF/services/org.dflib.jjava.jupyter.Extension";

    @TempDir
    static Path dir;
    static TestKernel k;
    static Path extensionJar;
    static Path libJar;

    @BeforeAll
    static void start() throws Exception {
        k = new TestKernel();
        extensionJar = TestJars.build(Files.createDirectories(dir.resolve("ext")), "hello-ext", Map.of(EXTENSION, """
                package org.loralab.testext;
                import org.dflib.jjava.jupyter.Extension;
                import org.dflib.jjava.jupyter.kernel.BaseKernel;
                import org.dflib.jjava.jupyter.kernel.magic.LineMagic;
                public class HelloExtension implements Extension {
                    public void install(BaseKernel kernel) {
                        Integer n = Integer.getInteger("hello.installs", 0);
                        System.setProperty("hello.installs", String.valueOf(n + 1));
                        kernel.getMagicsRegistry().registerLineMagic("hello",
                            (LineMagic<String, BaseKernel>) (k, args) -> "hello " + String.join(" ", args));
                    }
                }
                """), Map.of(SERVICES, EXTENSION + "\n"));
        libJar = TestJars.build(Files.createDirectories(dir.resolve("lib")), "greeter", Map.of("org.loralab.testlib.Greeter", """
                package org.loralab.testlib;
                public class Greeter { public static String greet(String who) { return "hi " + who; } }
                """), Map.of());
    }

    @AfterAll
    static void stop() {
        k.close();
    }

    private static ErrorReport failure(String code) {
        TestKernel.Captured c = k.capture(code);
        assertNotNull(c.thrown(), code);
        return ErrorReport.of(c.thrown());
    }

    @Test
    void classpathGlobAddsJarsAndInstallsTheirExtensionOnce() {
        TestKernel.Captured c = k.capture("%classpath " + dir.resolve("ext") + "/*\n"
                + "%jars " + extensionJar + "\n"
                + "%hello world");
        assertNull(c.thrown(), () -> String.valueOf(c.thrown()));
        assertEquals("hello world", c.value());
        assertEquals("1", System.getProperty("hello.installs"));
        assertTrue(k.kernel.installedExtensions().contains(EXTENSION));
        k.capture("%classpath " + libJar);
        assertEquals("1", System.getProperty("hello.installs"), "an extension is installed once");
    }

    @Test
    void classpathJarIsUsableInTheSameCell() {
        TestKernel.Captured c = k.capture("%classpath " + libJar + "\n"
                + "import org.loralab.testlib.Greeter;\n"
                + "Greeter.greet(\"you\")");
        assertNull(c.thrown(), () -> String.valueOf(c.thrown()));
        assertEquals("hi you", c.value());
        assertTrue(k.kernel.addedClasspath().contains(libJar.toString()));
    }

    @Test
    void classpathRejectsMissingFiles() {
        ErrorReport r = failure("%classpath /no/such/file.jar");
        assertEquals("MagicException", r.ename());
        assertTrue(r.evalue().contains("/no/such/file.jar"), r.evalue());
    }

    @Test
    void loadRunsJshJavaAndNotebookCode() throws Exception {
        Path jsh = Files.writeString(dir.resolve("defs.jsh"), "int loadedA = 20;\nint twiceA() { return 2 * loadedA; }\n");
        Path nb = Files.writeString(dir.resolve("nb.ipynb"), """
                {"cells": [
                  {"cell_type": "markdown", "metadata": {}, "source": ["not code"]},
                  {"cell_type": "code", "metadata": {}, "execution_count": null, "outputs": [],
                   "source": ["int fromNotebook = 1;\\n", "fromNotebook += 1;"]}
                ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
                """);
        assertNull(k.capture("%load " + jsh).thrown());
        assertEquals("40", k.text("twiceA()"));
        assertNull(k.capture("%load " + nb).thrown());
        assertEquals("2", k.text("fromNotebook"));
        assertEquals("MagicException", failure("%load " + dir.resolve("missing.jsh")).ename());
    }

    @Test
    void timePrintsWallTimeAndKeepsTheValue() {
        TestKernel.Captured line = k.capture("%time \"a b\".length()");
        assertEquals(3, line.value());
        assertTrue(line.out().startsWith("Wall time: "), line.out());
        TestKernel.Captured cell = k.capture("%%time\nint t = 6;\nt * 7");
        assertEquals(42, cell.value());
        assertTrue(cell.out().contains("Wall time: "), cell.out());
    }

    @Test
    void mavenResolvesTransitivelyFromTheLocalRepositoryOffline() {
        Path m2 = Path.of(System.getProperty("user.home"), ".m2", "repository", "org", "apache", "commons",
                "commons-text", "1.12.0");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(m2), "commons-text 1.12.0 not in ~/.m2");
        TestKernel.Captured c = k.capture("%maven org.apache.commons:commons-text:1.12.0 --offline\n"
                + "import org.apache.commons.text.WordUtils;\n"
                + "import org.apache.commons.lang3.StringUtils;\n"
                + "WordUtils.capitalize(StringUtils.reverse(\"olleh\"))");
        assertNull(c.thrown(), () -> ErrorReport.of(c.thrown()).toString());
        assertEquals("Hello", c.value());
        assertTrue(c.out().startsWith("%maven: 2 jar(s) added"), c.out());
        assertTrue(k.kernel.addedClasspath().stream().anyMatch(p -> p.contains("commons-lang3")),
                "the transitive dependency is on the classpath");
    }

    @Test
    void mavenNamesAMissingArtifactInOneLine() {
        ErrorReport r = failure("%maven org.loralab.nosuch:missing-artifact:9.9.9 --offline");
        assertEquals("MagicException", r.ename());
        assertTrue(r.evalue().startsWith("cannot resolve org.loralab.nosuch:missing-artifact:9.9.9"), r.evalue());
        assertEquals(1, r.traceback().size());
        assertEquals("MagicException", failure("%maven not-a-coordinate").ename());
        assertEquals("2", k.text("1+1"));
    }

    @Test
    void mavenRepoValidatesItsArguments() {
        assertEquals("MagicException", failure("%mavenRepo onlyone").ename());
        assertNull(k.capture("%mavenRepo extra file:" + dir + File.separator).thrown());
    }
}
