package org.loralab.lora.train;

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

    /** Runs {@code action} with gradient recording off on this thread, then restores the previous mode. */
    public static <T> T off(Supplier<T> action) {
        if (!pytorch()) {
            return action.get();
        }
        boolean was = enabled();
        set(false);
        try {
            return action.get();
        } finally {
            if (was) {
                set(true);
            }
        }
    }

    /** As {@link #off(Supplier)} for an action without a result. */
    public static void off(Runnable action) {
        off(() -> {
            action.run();
            return null;
        });
    }

    /** Whether this thread records gradients now (false for engines other than PyTorch). */
    public static boolean enabled() {
        if (!pytorch()) {
            return false;
        }
        try {
            return (Boolean) IS.invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read PyTorch's grad mode", e);
        }
    }

    /** Turns recording on or off for this thread (tests use it to stand in for a thread the engine never saw). */
    public static void set(boolean on) {
        if (!pytorch()) {
            return;
        }
        try {
            SET.invoke(null, on);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot set PyTorch's grad mode", e);
        }
    }

    private static boolean pytorch() {
        return SET != null && "PyTorch".equals(ai.djl.engine.Engine.getInstance().getEngineName());
    }
}
