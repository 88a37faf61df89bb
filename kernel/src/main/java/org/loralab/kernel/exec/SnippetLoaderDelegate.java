package org.loralab.kernel.exec;

import jdk.jshell.execution.LoaderDelegate;
import jdk.jshell.spi.ExecutionControl.ClassBytecodes;
import jdk.jshell.spi.ExecutionControl.ClassInstallException;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Defines snippet classes (woven with the stop check) in one class loader whose parent is the kernel's loader, so
 * jjava-jupyter and {@code notebookKernel} are shared with user code. Also holds jars added at run time.
 */
public final class SnippetLoaderDelegate implements LoaderDelegate {

    private final SnippetClassLoader loader;
    private final Map<String, Class<?>> classes = new ConcurrentHashMap<>();
    private final Set<String> classpath = new LinkedHashSet<>();
    private final List<Class<?>> recentlyLoaded = new ArrayList<>();

    public SnippetLoaderDelegate(ClassLoader parent) {
        this.loader = new SnippetClassLoader(parent);
    }

    public ClassLoader classLoader() {
        return loader;
    }

    /** The run-time classpath entries added so far, in order. */
    public synchronized List<String> classpath() {
        return List.copyOf(classpath);
    }

    public synchronized boolean isOnClasspath(String path) {
        return classpath.contains(Path.of(path).toAbsolutePath().normalize().toString());
    }

    /** Classes defined since the last call; the evaluator uses them to find the wrappers of overwritten snippets. */
    synchronized List<Class<?>> drainRecentlyLoaded() {
        List<Class<?>> out = new ArrayList<>(recentlyLoaded);
        recentlyLoaded.clear();
        return out;
    }

    /** Classes defined since the last drain, without draining them. */
    synchronized List<Class<?>> peekRecentlyLoaded() {
        return new ArrayList<>(recentlyLoaded);
    }

    @Override
    public void load(ClassBytecodes[] cbcs) throws ClassInstallException {
        boolean[] installed = new boolean[cbcs.length];
        try {
            // Declare every class before defining any, so mutually dependent classes resolve each other.
            for (ClassBytecodes cbc : cbcs) {
                loader.declare(cbc.name(), StopCheckWeaver.weave(cbc.bytecodes()));
            }
            for (int i = 0; i < cbcs.length; i++) {
                Class<?> klass = loader.loadClass(cbcs[i].name());
                classes.put(cbcs[i].name(), klass);
                synchronized (this) {
                    recentlyLoaded.add(klass);
                }
                installed[i] = true;
                klass.getDeclaredMethods();
            }
        } catch (Throwable e) {
            // LinkageError included: reported as a failed install instead of hanging the shell (JJava #64)
            throw new ClassInstallException("load: " + e, installed);
        }
    }

    /**
     * JShell "redefines" a class in place when a re-run snippet compiles to identical bytecode: the class is reused,
     * so it counts as just loaded (its statics hold the new value and must not be released).
     */
    @Override
    public void classesRedefined(ClassBytecodes[] cbcs) {
        for (ClassBytecodes cbc : cbcs) {
            Class<?> klass = classes.get(cbc.name());
            if (klass != null) {
                synchronized (this) {
                    recentlyLoaded.add(klass);
                }
            }
        }
    }

    @Override
    public synchronized void addToClasspath(String path) {
        for (String entry : path.split(File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            String normalized = Path.of(entry).toAbsolutePath().normalize().toString();
            if (classpath.add(normalized)) {
                loader.addURL(toUrl(normalized));
            }
        }
    }

    @Override
    public Class<?> findClass(String name) throws ClassNotFoundException {
        Class<?> klass = classes.get(name);
        if (klass == null) {
            throw new ClassNotFoundException(name + " not found");
        }
        return klass;
    }

    private static URL toUrl(String path) {
        try {
            return Path.of(path).toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("not a usable classpath entry: " + path, e);
        }
    }

    private static final class SnippetClassLoader extends URLClassLoader {
        private final Map<String, byte[]> declared = new ConcurrentHashMap<>();

        SnippetClassLoader(ClassLoader parent) {
            super(new URL[0], parent);
        }

        void declare(String name, byte[] bytes) {
            declared.put(name, Arrays.copyOf(bytes, bytes.length));
        }

        @Override
        protected void addURL(URL url) {
            super.addURL(url);
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] bytes = declared.get(name);
            if (bytes != null) {
                return defineClass(name, bytes, 0, bytes.length);
            }
            return super.findClass(name);
        }
    }
}
