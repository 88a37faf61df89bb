package org.loralab.lora.models.pretrained;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodeFingerprintTest {
    private static final List<String> PACKAGES = List.of("org/x/model/", "org/x/train/");

    @Test
    void theRunningLibraryHasAStableFingerprint() {
        String first = CodeFingerprint.current();
        assertTrue(first.matches("[0-9a-f]{" + CodeFingerprint.LENGTH + "}"), first);
        assertEquals(first, CodeFingerprint.current());
    }

    @Test
    void aFolderAndAJarWithTheSameClassesHaveTheSameFingerprint(@TempDir Path tmp) throws IOException {
        Map<String, byte[]> classes = sampleClasses();
        Path folder = folder(tmp.resolve("classes"), classes);
        Path jar = jar(tmp.resolve("lib.jar"), classes);
        String fromFolder = CodeFingerprint.of(folder, PACKAGES, "djl 1");
        assertEquals(fromFolder, CodeFingerprint.of(folder, PACKAGES, "djl 1"), "deterministic");
        assertEquals(fromFolder, CodeFingerprint.of(jar, PACKAGES, "djl 1"), "a jar of the same classes");
    }

    @Test
    void aChangedClassInThePackagesChangesIt(@TempDir Path tmp) throws IOException {
        Map<String, byte[]> classes = sampleClasses();
        String before = CodeFingerprint.of(folder(tmp.resolve("a"), classes), PACKAGES, "djl 1");

        classes.put("org/x/train/Fit.class", new byte[] {1, 2, 4});
        assertNotEquals(before, CodeFingerprint.of(folder(tmp.resolve("b"), classes), PACKAGES, "djl 1"));

        Map<String, byte[]> renamed = sampleClasses();
        renamed.put("org/x/train/Fit2.class", renamed.remove("org/x/train/Fit.class"));
        assertNotEquals(before, CodeFingerprint.of(folder(tmp.resolve("c"), renamed), PACKAGES, "djl 1"));

        assertNotEquals(before, CodeFingerprint.of(folder(tmp.resolve("a"), sampleClasses()), PACKAGES, "djl 2"),
                "another DJL version");
    }

    @Test
    void classesOutsideThePackagesDoNotCount(@TempDir Path tmp) throws IOException {
        Map<String, byte[]> classes = sampleClasses();
        String before = CodeFingerprint.of(jar(tmp.resolve("a.jar"), classes), PACKAGES, "");
        classes.put("org/x/variant/Lora.class", new byte[] {9});        // another package
        classes.put("org/x/train/sub/Helper.class", new byte[] {9});    // a sub-package
        classes.put("org/x/train/notes.txt", new byte[] {9});           // not a class
        assertEquals(before, CodeFingerprint.of(jar(tmp.resolve("b.jar"), classes), PACKAGES, ""));
        assertEquals(before, CodeFingerprint.of(folder(tmp.resolve("c"), classes), PACKAGES, ""));
    }

    @Test
    void noClassesIsAnError(@TempDir Path tmp) throws IOException {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> CodeFingerprint.of(Files.createDirectories(tmp.resolve("empty")), PACKAGES, ""));
        assertTrue(e.getMessage().contains("no class files"), e.getMessage());
    }

    private static Map<String, byte[]> sampleClasses() {
        Map<String, byte[]> m = new TreeMap<>();
        m.put("org/x/model/Vit.class", new byte[] {(byte) 0xCA, (byte) 0xFE, 1});
        m.put("org/x/model/Vit$Builder.class", new byte[] {(byte) 0xCA, (byte) 0xFE, 2});
        m.put("org/x/train/Fit.class", new byte[] {1, 2, 3});
        return m;
    }

    private static Path folder(Path root, Map<String, byte[]> classes) throws IOException {
        for (Map.Entry<String, byte[]> e : classes.entrySet()) {
            Path file = root.resolve(e.getKey());
            Files.createDirectories(file.getParent());
            Files.write(file, e.getValue());
        }
        return root;
    }

    private static Path jar(Path file, Map<String, byte[]> classes) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file); JarOutputStream out = new JarOutputStream(raw)) {
            // reverse order: the fingerprint must not depend on the order of the entries
            for (String name : ((TreeMap<String, byte[]>) classes).descendingKeySet()) {
                out.putNextEntry(new JarEntry(name));
                out.write(classes.get(name));
                out.closeEntry();
            }
        }
        return file;
    }
}
