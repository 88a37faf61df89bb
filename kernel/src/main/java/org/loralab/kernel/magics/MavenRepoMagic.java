package org.loralab.kernel.magics;

import org.dflib.jjava.jupyter.kernel.magic.LineMagic;
import org.loralab.kernel.JShellKernel;
import org.loralab.kernel.errors.MagicException;
import org.loralab.kernel.maven.MavenResolver;

import java.util.List;

/** {@code %mavenRepo ID URL}: an extra repository for later {@code %maven} calls (settings.xml mirrors apply). */
public final class MavenRepoMagic implements LineMagic<Void, JShellKernel> {

    private final MavenResolver resolver;

    public MavenRepoMagic(MavenResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public Void eval(JShellKernel kernel, List<String> args) {
        if (args.size() != 2) {
            throw new MagicException("usage: %mavenRepo ID URL");
        }
        resolver.addRepository(args.get(0), args.get(1));
        System.out.println("%mavenRepo: added " + args.get(0) + " = " + args.get(1));
        return null;
    }
}
