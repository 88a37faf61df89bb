package org.loralab.kernel.exec;

import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;
import jdk.jshell.spi.SPIResolutionException;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs snippets in this JVM on daemon worker threads and hands JShell a key instead of a value string; the
 * evaluator swaps the key back for the real object, so results stay renderable. Never returns null from
 * {@link #invoke(Method)} (JShell runs a regex over the returned string).
 */
public final class InProcessExecutionControl extends DirectExecutionControl {

    /** Class-name markers carried by the UserException of an interrupted or timed-out snippet. */
    public static final String INTERRUPTED_MARKER = "Cell interrupted";
    public static final String TIMEOUT_MARKER = "Cell timed out";
    /** What {@link #invoke(Method)} returns for a null result. */
    public static final String NULL_SENTINEL = "null";

    private static final String WORKER_PREFIX = "loralab-cell-";
    private static final int MAX_CAUSE_DEPTH = 16;

    private final SnippetLoaderDelegate delegate;
    private final long timeoutMillis;
    private final Map<String, Object> results = new ConcurrentHashMap<>();
    private final Set<Running> running = ConcurrentHashMap.newKeySet();
    private final ExecutorService workers;

    public InProcessExecutionControl(SnippetLoaderDelegate delegate, long timeoutMillis) {
        super(delegate);
        this.delegate = delegate;
        this.timeoutMillis = timeoutMillis;
        AtomicInteger counter = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, WORKER_PREFIX + counter.incrementAndGet());
            t.setDaemon(true);
            t.setContextClassLoader(delegate.classLoader());
            return t;
        });
    }

    /** A provider whose {@code generate} returns this very instance. */
    public ExecutionControlProvider provider() {
        InProcessExecutionControl self = this;
        return new ExecutionControlProvider() {
            @Override
            public String name() {
                return "loralab-in-process";
            }

            @Override
            public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
                return self;
            }
        };
    }

    /** Removes and returns the object stored under a key from {@code SnippetEvent.value()}. */
    public Object takeResult(String key) {
        if (key == null || NULL_SENTINEL.equals(key)) {
            return null;
        }
        return results.remove(key);
    }

    public boolean isResultKey(String key) {
        return key != null && results.containsKey(key);
    }

    private volatile boolean interruptPending;

    /** Starts a top-level cell: an interrupt that arrived before it no longer applies. */
    public void beginCell() {
        interruptPending = false;
    }

    /**
     * Stops every running snippet (woven code throws at its next back-edge, blocking calls see an interrupt), and
     * refuses to start further snippets of the current cell: an interrupt that arrives while a snippet compiles or
     * between two snippets is not lost.
     */
    public void interrupt() {
        interruptPending = true;
        for (Running r : running) {
            r.stop();
        }
    }

    @Override
    protected String invoke(Method doit) throws Exception {
        if (Thread.currentThread().getName().startsWith(WORKER_PREFIX)) {
            // nested evaluation (a magic or %load calling back into the kernel): run inline
            return store(doit.invoke(null));
        }
        if (interruptPending) {
            throw new UserException("the cell was interrupted", INTERRUPTED_MARKER, new StackTraceElement[0]);
        }
        Running task = new Running();
        task.future = workers.submit(() -> task.run(doit));
        running.add(task);
        try {
            Object value = timeoutMillis > 0
                    ? task.future.get(timeoutMillis, TimeUnit.MILLISECONDS)
                    : task.future.get();
            return store(value);
        } catch (CancellationException e) {
            throw new UserException("the cell was interrupted", INTERRUPTED_MARKER, new StackTraceElement[0]);
        } catch (TimeoutException e) {
            task.stop();
            throw new UserException("the cell ran longer than " + timeoutMillis + " ms", TIMEOUT_MARKER,
                    new StackTraceElement[0]);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof InvocationTargetException && e.getCause().getCause() != null
                    ? e.getCause().getCause()
                    : e.getCause();
            if (cause instanceof StopCheck.StopRequested) {
                throw new UserException("the cell was interrupted", INTERRUPTED_MARKER, new StackTraceElement[0]);
            }
            throw toRunException(cause, 0);
        } finally {
            running.remove(task);
        }
    }

    private String store(Object value) {
        if (value == null) {
            return NULL_SENTINEL;
        }
        String key = UUID.randomUUID().toString();
        results.put(key, value);
        return key;
    }

    /** JShell accepts only UserException/ResolutionException as causes; anything else fails an assertion. */
    private static RunException toRunException(Throwable t, int depth) {
        if (t instanceof SPIResolutionException) {
            return new ResolutionException(((SPIResolutionException) t).id(), t.getStackTrace());
        }
        UserException ue = new UserException(String.valueOf(t.getMessage()), t.getClass().getName(),
                t.getStackTrace());
        Throwable cause = t.getCause();
        if (cause != null && cause != t && depth < MAX_CAUSE_DEPTH) {
            ue.initCause(toRunException(cause, depth + 1));
        }
        return ue;
    }

    @Override
    public void close() {
        workers.shutdownNow();
        super.close();
    }

    /** One snippet on a worker, with the thread it runs on so that it can be stopped. */
    private final class Running {
        volatile Future<Object> future;
        volatile Thread thread;
        volatile boolean stopped;

        Object run(Method doit) throws Exception {
            StopCheck.clear(Thread.currentThread());
            thread = Thread.currentThread();
            try {
                if (stopped) {
                    throw new StopCheck.StopRequested();
                }
                return doit.invoke(null);
            } finally {
                StopCheck.clear(thread);
                thread = null;
            }
        }

        void stop() {
            stopped = true;
            Thread t = thread;
            if (t != null) {
                StopCheck.requestStop(t);
            }
            Future<Object> f = future;
            if (f != null) {
                f.cancel(true);
            }
        }
    }
}
