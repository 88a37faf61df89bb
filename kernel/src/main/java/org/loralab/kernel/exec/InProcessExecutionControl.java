package org.loralab.kernel.exec;

import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;
import jdk.jshell.spi.SPIResolutionException;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs snippets in this JVM on the {@link CellRunner}'s worker threads and hands JShell a key instead of a value
 * string; the evaluator swaps the key back for the real object, so results stay renderable. Never returns null from
 * {@link #invoke(Method)} (JShell runs a regex over the returned string).
 */
public final class InProcessExecutionControl extends DirectExecutionControl {

    /** Class-name markers carried by the UserException of an interrupted, timed-out or unstoppable snippet. */
    public static final String INTERRUPTED_MARKER = "Cell interrupted";
    public static final String TIMEOUT_MARKER = "Cell timed out";
    public static final String NOT_STOPPED_MARKER = "Cell did not stop";
    /** What {@link #invoke(Method)} returns for a null result. */
    public static final String NULL_SENTINEL = "null";

    private static final int MAX_CAUSE_DEPTH = 16;

    private final long timeoutMillis;
    private final Map<String, Object> results = new ConcurrentHashMap<>();
    private final CellRunner runner;

    public InProcessExecutionControl(SnippetLoaderDelegate delegate, long timeoutMillis) {
        super(delegate);
        this.timeoutMillis = timeoutMillis;
        this.runner = new CellRunner(delegate.classLoader());
    }

    /** The runner shared by snippets and magics (one interrupt stops either). */
    public CellRunner runner() {
        return runner;
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

    /** Starts a top-level cell outside a request (tests, embedding): an earlier interrupt no longer applies. */
    public void beginCell() {
        runner.beginCell(null);
    }

    /** Stops the running snippet or magic; snippets of the current cell that have not started will not start. */
    public void interrupt() {
        runner.interrupt();
    }

    @Override
    protected String invoke(Method doit) throws Exception {
        if (CellRunner.onWorkerThread()) {
            // nested evaluation (a magic or %load calling back into the kernel): run inline
            return store(doit.invoke(null));
        }
        if (runner.interruptPending()) {
            throw marker(INTERRUPTED_MARKER, "the cell was interrupted");
        }
        try {
            return store(runner.run(() -> doit.invoke(null), timeoutMillis));
        } catch (CellRunner.Stopped s) {
            switch (s.kind) {
                case TIMED_OUT:
                    throw marker(TIMEOUT_MARKER, "the cell ran longer than " + timeoutMillis + " ms");
                case DID_NOT_STOP:
                    throw marker(NOT_STOPPED_MARKER, s.getMessage());
                default:
                    throw marker(INTERRUPTED_MARKER, s.getMessage());
            }
        } catch (CellRunner.Failed f) {
            throw toRunException(f.getCause(), 0);
        }
    }

    private static UserException marker(String marker, String message) {
        return new UserException(message, marker, new StackTraceElement[0]);
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
        UserException ue = new UserException(ThrowableText.message(t), t.getClass().getName(),
                ThrowableText.stackTrace(t));
        Throwable cause = ThrowableText.cause(t);
        if (cause != null && cause != t && depth < MAX_CAUSE_DEPTH) {
            ue.initCause(toRunException(cause, depth + 1));
        }
        return ue;
    }

    @Override
    public void close() {
        runner.close();
        super.close();
    }
}
