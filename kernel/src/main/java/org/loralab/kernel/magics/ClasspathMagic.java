package org.loralab.kernel.magics;

import org.dflib.jjava.jupyter.kernel.magic.LineMagic;
import org.loralab.kernel.JShellKernel;
import org.loralab.kernel.errors.MagicException;

import java.io.File;
import java.util.List;

/** {@code %classpath PATH...} (alias {@code %jars}): add jars, directories or globs; with no argument, list them. */
public final class ClasspathMagic implements LineMagic<Void, JShellKernel> {

    @Override
    public Void eval(JShellKernel kernel, List<String> args) {
        if (args.isEmpty()) {
            List<String> entries = kernel.addedClasspath();
            System.out.println(entries.isEmpty() ? "(nothing added to the classpath)" : String.join("\n", entries));
            return null;
        }
        String joined = String.join(File.pathSeparator, args);
        if (ClasspathGlobs.expand(joined).isEmpty()) {
            throw new MagicException("%classpath: nothing found at " + String.join(" ", args)
                    + " (give existing jars, directories, or globs such as lib/*)");
        }
        List<String> added = kernel.addToClasspath(joined);
        System.out.println("%classpath: " + added.size() + " entr" + (added.size() == 1 ? "y" : "ies") + " added");
        return null;
    }
}
