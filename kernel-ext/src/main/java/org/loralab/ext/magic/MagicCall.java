package org.loralab.ext.magic;

import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import org.loralab.lora.train.GradMode;

/**
 * How every LoRA Lab magic runs in a kernel. Without gradient recording: a kernel runs magics on its own thread, where
 * PyTorch records a graph for every operation unless told not to (see {@link GradMode}). And a user's mistake (a bad
 * option, a missing model, an unreadable adapter directory) becomes a {@link MagicError} with the message alone,
 * while a fault of the lab itself keeps its stack trace for the bug report.
 */
public final class MagicCall {
    private MagicCall() {}

    public static Object run(String magic, Callable<Object> body) throws Exception {
        // a kernel's own thread has a context class loader that does not see the extension's jars: DJL finds its
        // engine through it (ServiceLoader), and a first lookup that fails leaves DJL without one for the session
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(MagicCall.class.getClassLoader());
        try {
            return GradMode.off(() -> {
                try {
                    return body.call();
                } catch (Exception e) {
                    throw new Wrapped(e);
                }
            });
        } catch (Wrapped w) {
            Exception e = w.inner;
            if (isUserMistake(e)) {
                throw new MagicError(oneLine(magic, e));
            }
            throw e;
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** Exceptions the lab throws for bad input or a missing precondition, and the engine's refusals. */
    static boolean isUserMistake(Throwable e) {
        return e instanceof IllegalArgumentException || e instanceof IllegalStateException
                || e instanceof UncheckedIOException || e instanceof java.io.IOException
                || e instanceof ai.djl.engine.EngineException || e instanceof UnsupportedOperationException
                || e instanceof org.loralab.lora.hf.hub.HubException;
    }

    /** The first line of the message, prefixed with the magic unless the message already names it. */
    static String oneLine(String magic, Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        m = m.strip().lines().findFirst().orElse("").strip();
        if (e instanceof ai.djl.engine.EngineException) {
            m = "the engine refused: " + m;
        }
        if (e instanceof UncheckedIOException u && u.getCause() != null && u.getCause().getMessage() != null
                && !m.contains(u.getCause().getMessage())) {
            m = m + " (" + u.getCause().getMessage() + ")";
        }
        return m.startsWith(magic) ? m : magic + ": " + m;
    }

    private static final class Wrapped extends RuntimeException {
        final Exception inner;

        Wrapped(Exception inner) {
            super(null, null, false, false);
            this.inner = inner;
        }
    }
}
