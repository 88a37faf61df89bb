package org.loralab.kernel.magics;

import org.dflib.jjava.jupyter.kernel.magic.LineMagic;
import org.loralab.kernel.JShellKernel;
import org.loralab.kernel.errors.MagicException;
import org.loralab.kernel.maven.MavenResolver;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** {@code %maven g:a[:ext[:classifier]]:v ... [--from URL] [--offline]}: resolve in one request, add to the classpath. */
public final class MavenMagic implements LineMagic<Void, JShellKernel> {

    static final String USAGE = "usage: %maven groupId:artifactId[:extension[:classifier]]:version ... "
            + "[--from URL] [--offline]";

    private final MavenResolver resolver;

    public MavenMagic(MavenResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public Void eval(JShellKernel kernel, List<String> args) {
        List<String> coordinates = new ArrayList<>();
        List<String> from = new ArrayList<>();
        boolean offline = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--offline") || a.equals("-o")) {
                offline = true;
            } else if (a.startsWith("--from=")) {
                from.add(a.substring("--from=".length()));
            } else if (a.equals("--from") && i + 1 < args.size()) {
                from.add(args.get(++i));
            } else if (a.startsWith("-")) {
                throw new MagicException("%maven: unknown option " + a + "; " + USAGE);
            } else {
                coordinates.add(a);
            }
        }
        if (coordinates.isEmpty()) {
            throw new MagicException(USAGE);
        }
        List<Path> jars = resolver.resolve(coordinates, from, offline);
        List<String> added = kernel.addToClasspath(jars.stream().map(Path::toString)
                .collect(Collectors.joining(File.pathSeparator)));
        System.out.println("%maven: " + added.size() + " jar(s) added, " + (jars.size() - added.size())
                + " already on the classpath"
                + (added.isEmpty() ? "" : ": " + added.stream().map(p -> Path.of(p).getFileName().toString())
                .collect(Collectors.joining(", "))));
        return null;
    }
}
