package org.loralab.kernel;

import jdk.jshell.JShell;
import org.dflib.jjava.jupyter.kernel.HelpLink;
import org.dflib.jjava.jupyter.kernel.LanguageInfo;
import org.dflib.jjava.jupyter.kernel.magic.MagicParser;
import org.dflib.jjava.jupyter.kernel.magic.MagicTranspiler;
import org.dflib.jjava.jupyter.kernel.magic.MagicsRegistry;
import org.loralab.kernel.exec.InProcessExecutionControl;
import org.loralab.kernel.exec.SnippetLoaderDelegate;
import org.loralab.kernel.history.InMemoryHistory;
import org.loralab.kernel.magics.ClasspathMagic;
import org.loralab.kernel.magics.LoadMagic;
import org.loralab.kernel.magics.MavenMagic;
import org.loralab.kernel.magics.MavenRepoMagic;
import org.loralab.kernel.magics.TimeMagic;
import org.loralab.kernel.maven.MavenResolver;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds a {@link JShellKernel}: execution control first, then JShell bound to it, then the kernel. */
public final class JShellKernelBuilder {

    /** Kernel settings read from the environment (the kernelspec's {@code env}). */
    public static final String ENV_TIMEOUT_MS = "LORALAB_TIMEOUT_MS";
    public static final String ENV_COMPILER_OPTS = "LORALAB_COMPILER_OPTS";
    public static final String ENV_MAVEN_OFFLINE = "LORALAB_MAVEN_OFFLINE";
    public static final String ENV_LOAD_EXTENSIONS = "LORALAB_LOAD_EXTENSIONS";

    private long timeoutMillis;
    private final List<String> compilerOptions = new ArrayList<>();
    private boolean extensionsEnabled = true;
    private boolean mavenOffline;

    public static JShellKernelBuilder fromEnvironment(Map<String, String> env) {
        JShellKernelBuilder b = new JShellKernelBuilder();
        String timeout = env.get(ENV_TIMEOUT_MS);
        if (timeout != null && !timeout.isBlank()) {
            try {
                b.timeoutMillis(Long.parseLong(timeout.strip()));
            } catch (NumberFormatException e) {
                System.err.println("loralab kernel: ignoring " + ENV_TIMEOUT_MS + "=" + timeout + " (not a number)");
            }
        }
        String opts = env.get(ENV_COMPILER_OPTS);
        if (opts != null && !opts.isBlank()) {
            b.compilerOptions.addAll(List.of(opts.strip().split("\\s+")));
        }
        b.extensionsEnabled(!isFalse(env.get(ENV_LOAD_EXTENSIONS)));
        b.mavenOffline("true".equalsIgnoreCase(String.valueOf(env.get(ENV_MAVEN_OFFLINE)).strip()));
        return b;
    }

    private static boolean isFalse(String value) {
        return value != null && (value.strip().equals("0") || value.strip().equalsIgnoreCase("false"));
    }

    /** Per-snippet time limit; 0 (the default) means none. */
    public JShellKernelBuilder timeoutMillis(long millis) {
        this.timeoutMillis = Math.max(0, millis);
        return this;
    }

    public JShellKernelBuilder compilerOption(String option) {
        compilerOptions.add(option);
        return this;
    }

    public JShellKernelBuilder extensionsEnabled(boolean enabled) {
        this.extensionsEnabled = enabled;
        return this;
    }

    public JShellKernelBuilder mavenOffline(boolean offline) {
        this.mavenOffline = offline;
        return this;
    }

    public JShellKernel build() {
        SnippetLoaderDelegate delegate = new SnippetLoaderDelegate(JShellKernel.class.getClassLoader());
        InProcessExecutionControl control = new InProcessExecutionControl(delegate, timeoutMillis);
        JShell shell = JShell.builder()
                .out(System.out)
                .err(System.err)
                .in(System.in)
                .executionEngine(control.provider(), Map.of())
                .compilerOptions(compilerOptions.toArray(String[]::new))
                .build();

        MavenResolver resolver = new MavenResolver(mavenOffline);
        MagicsRegistry magics = new MagicsRegistry();
        ClasspathMagic classpath = new ClasspathMagic();
        TimeMagic time = new TimeMagic();
        magics.registerLineMagic("maven", new MavenMagic(resolver));
        magics.registerLineMagic("mavenRepo", new MavenRepoMagic(resolver));
        magics.registerLineMagic("classpath", classpath);
        magics.registerLineMagic("jars", classpath);
        magics.registerLineMagic("load", new LoadMagic());
        magics.registerLineMagic("time", time);
        magics.registerCellMagic("time", time);

        LanguageInfo language = new LanguageInfo.Builder("Java")
                .version(Runtime.version().toString())
                .mimetype("text/x-java-source")
                .fileExtension(".jshell")
                .pygments("java")
                .codemirror("java")
                .build();
        List<HelpLink> help = List.of(new HelpLink("Java API",
                "https://docs.oracle.com/en/java/javase/" + Runtime.version().feature() + "/docs/api/"));
        // MagicParser is kept for extensions that ask for it; our kernel runs magic lines itself
        MagicParser parser = new MagicParser("(?<=(?:^|=))\\s*%", "%%", new MagicTranspiler());
        return new JShellKernel(version(), language, help, new InMemoryHistory(),
                new KernelIO(StandardCharsets.UTF_8), parser, magics, extensionsEnabled, shell, control, delegate);
    }

    private static String version() {
        String v = JShellKernel.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0" : v;
    }
}
