package org.loralab.kernel.magics;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Expands classpath entries: {@code dir/*} means the jars in dir (as for {@code java -cp}); other globs match names.
 * Only regular files and directories count: a FIFO, socket or device would block the compiler that opens it.
 */
public final class ClasspathGlobs {

    private ClasspathGlobs() {
    }

    /** Expands every entry of a {@link File#pathSeparator}-separated list; missing files are skipped. */
    public static List<Path> expand(String classpath) {
        List<Path> out = new ArrayList<>();
        if (classpath == null) {
            return out;
        }
        for (String entry : classpath.split(File.pathSeparator)) {
            String e = entry.strip();
            if (e.isEmpty()) {
                continue;
            }
            if (e.startsWith("~/")) {
                e = System.getProperty("user.home") + e.substring(1);
            }
            if (e.contains("*") || e.contains("?")) {
                out.addAll(glob(Path.of(e)));
            } else if (usable(Path.of(e))) {
                out.add(Path.of(e).toAbsolutePath().normalize());
            }
        }
        return out;
    }

    private static List<Path> glob(Path pattern) {
        Path dir = pattern.getParent() == null ? Path.of(".") : pattern.getParent();
        String name = pattern.getFileName().toString();
        List<Path> matches = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return matches;
        }
        boolean jarsOnly = name.equals("*");
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, name)) {
            for (Path p : files) {
                String fileName = p.getFileName().toString();
                if ((!jarsOnly || fileName.endsWith(".jar") || fileName.endsWith(".JAR")) && usable(p)) {
                    matches.add(p.toAbsolutePath().normalize());
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        matches.sort(null);
        return matches;
    }

    /** A regular file or a directory (symbolic links followed); never a FIFO, socket or device. */
    static boolean usable(Path p) {
        return Files.isRegularFile(p) || Files.isDirectory(p);
    }
}
