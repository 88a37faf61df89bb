package org.loralab.lora.models.pretrained;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * A short hash of the compiled classes that determine the pretrained base's weights, read from where the library was
 * loaded (a {@code target/classes} folder or the {@code lora} jar), so that a base cached by other code is never
 * reused: {@link PretrainedBase} puts it in the cache file names.
 *
 * <p>Only the classes of {@link #BASE_PACKAGES} count (each package on its own, not its sub-packages): the ViT, the
 * pretraining task and evaluation, the training loop, the data loaders and the variant-free parts the loop touches.
 * The variants ({@code variant.lora}, ...) and everything else can change without a rebuild. The DJL version is part
 * of the hash too. Class files are hashed by name and content in name order, so the same build gives the same
 * fingerprint in every run, from a folder or from a jar.
 */
public final class CodeFingerprint {
    /** The packages (as class-file folders) whose classes make the base. */
    public static final List<String> BASE_PACKAGES = List.of(
            "org/loralab/lora/models/",
            "org/loralab/lora/models/pretrained/",
            "org/loralab/lora/train/",
            "org/loralab/lora/data/",
            "org/loralab/lora/linalg/",
            "org/loralab/lora/config/",
            "org/loralab/lora/inject/",
            "org/loralab/lora/variant/");

    /** Hex characters kept: 48 bits, plenty to tell builds apart. */
    static final int LENGTH = 12;

    private CodeFingerprint() {}

    private static volatile String current;

    /** The fingerprint of the running library's base code (computed once per JVM). */
    public static String current() {
        String value = current;
        if (value == null) {
            value = ofLoadedLibrary();
            current = value;
        }
        return value;
    }

    private static String ofLoadedLibrary() {
        CodeSource source = CodeFingerprint.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            throw new IllegalStateException("cannot tell where the LoRA library's classes were loaded from, so the "
                    + "pretrained base cache cannot be keyed to them; put the lora jar on the class path");
        }
        try {
            return of(Path.of(source.getLocation().toURI()), BASE_PACKAGES, ai.djl.engine.Engine.getDjlVersion());
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot read the LoRA library's classes at " + source.getLocation()
                    + " (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The fingerprint of the class files of {@code packages} (folder prefixes such as {@code "org/foo/"}, not
     * recursive) in {@code location}, a classes folder or a jar, plus {@code extra} (e.g. a dependency version).
     * Fails when none of the packages has a class there.
     */
    public static String of(Path location, List<String> packages, String extra) {
        Map<String, byte[]> classes = Files.isDirectory(location) ? fromFolder(location, packages)
                : fromJar(location, packages);
        if (classes.isEmpty()) {
            throw new IllegalStateException("no class files of " + packages + " in " + location);
        }
        MessageDigest sha = sha256();
        update(sha, extra == null ? "" : extra);
        for (Map.Entry<String, byte[]> e : classes.entrySet()) {
            update(sha, e.getKey());
            update(sha, Integer.toString(e.getValue().length));
            sha.update(e.getValue());
        }
        return HexFormat.of().formatHex(sha.digest()).substring(0, LENGTH);
    }

    private static Map<String, byte[]> fromFolder(Path root, List<String> packages) {
        Map<String, byte[]> classes = new TreeMap<>();
        for (String pkg : packages) {
            Path dir = root.resolve(pkg);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".class")).toList()) {
                    classes.put(pkg + f.getFileName(), Files.readAllBytes(f));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the classes in " + dir + ": " + e.getMessage(), e);
            }
        }
        return classes;
    }

    private static Map<String, byte[]> fromJar(Path jar, List<String> packages) {
        Map<String, byte[]> classes = new TreeMap<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            for (JarEntry entry : file.stream().toList()) {
                String name = entry.getName();
                if (name.endsWith(".class") && inOneOf(name, packages)) {
                    try (InputStream in = file.getInputStream(entry)) {
                        classes.put(name, in.readAllBytes());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the classes in " + jar + ": " + e.getMessage(), e);
        }
        return classes;
    }

    private static boolean inOneOf(String entry, List<String> packages) {
        int slash = entry.lastIndexOf('/');
        return packages.contains(entry.substring(0, slash + 1));
    }

    private static void update(MessageDigest sha, String text) {
        sha.update(text.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
