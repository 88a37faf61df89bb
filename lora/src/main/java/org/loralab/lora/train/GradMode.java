package org.loralab.lora.train;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.function.Supplier;

/**
 * PyTorch's gradient recording is a per-thread switch, and DJL's engine turns it off only on the thread that starts
 * the engine. Any other thread (a kernel's shell thread running a magic, a user's worker thread) records a graph for
 * every operation: a merged W then carries the adapter's graph ("Trying to backward through the graph a second
 * time"), and a DoRA magnitude computed from W is no leaf ("you can only change requires_grad flags of leaf
 * variables"). Library operations that change weights run inside {@link #off}; training turns recording on only
 * inside its GradientCollector, as DJL does.
 */
public final class GradMode {
    private static final Method IS;
    private static final Method SET;

    static {
        Method is = null;
        Method set = null;
        try {
            Class<?> jni = Class.forName("ai.djl.pytorch.jni.JniUtils");
            is = jni.getMethod("isGradMode");
            set = jni.getMethod("setGradMode", boolean.class);
        } catch (ReflectiveOperationException | LinkageError e) {
            // another engine: its gradient recording is scoped by its GradientCollector alone
        }
        IS = is;
        SET = set;
    }

    private GradMode() {}

    /**
     * Runs {@code action} with gradient recording off on this thread, then restores the previous mode. Before the
     * PyTorch engine has started nothing records, and the thread that starts it gets recording off from the engine.
     */
    public static <T> T off(Supplier<T> action) {
        Boolean was = mode();
        if (was == null || !was) {
            return action.get();
        }
        set(false);
        try {
            return action.get();
        } finally {
            set(true);
        }
    }

    /** As {@link #off(Supplier)} for an action without a result. */
    public static void off(Runnable action) {
        off(() -> {
            action.run();
            return null;
        });
    }

    /** Whether this thread records gradients now (false before the PyTorch engine started, or for other engines). */
    public static boolean enabled() {
        return Boolean.TRUE.equals(mode());
    }

    /** Turns recording on or off for this thread (tests use it to stand in for a thread the engine never saw). */
    public static void set(boolean on) {
        if (SET == null) {
            return;
        }
        try {
            SET.invoke(null, on);
        } catch (InvocationTargetException e) {
            if (!(e.getCause() instanceof LinkageError)) {
                throw new IllegalStateException("cannot set PyTorch's grad mode", e.getCause());
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot set PyTorch's grad mode", e);
        }
    }

    /**
     * This thread's grad mode, or null while PyTorch's native library is not loaded. Never asks DJL's Engine: looking
     * it up from a kernel's own thread (whose context class loader does not see the engine jars) before any cell
     * started it would leave DJL without an engine for the whole session.
     */
    private static Boolean mode() {
        if (IS == null) {
            return null;
        }
        try {
            return (Boolean) IS.invoke(null);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof LinkageError) {
                return null; // the engine has not started: its natives are not linked yet
            }
            throw new IllegalStateException("cannot read PyTorch's grad mode", e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read PyTorch's grad mode", e);
        }
    }
}
