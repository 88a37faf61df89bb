package org.loralab.kernel.exec;

import jdk.jshell.DeclarationSnippet;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;
import jdk.jshell.VarSnippet;
import org.loralab.kernel.errors.CellNotStoppedException;
import org.loralab.kernel.errors.CompilationException;
import org.loralab.kernel.errors.EvaluationInterruptedException;
import org.loralab.kernel.errors.EvaluationTimeoutException;
import org.loralab.kernel.errors.IncompleteSourceException;
import org.loralab.kernel.errors.UnresolvedDependencyException;
import org.loralab.kernel.errors.UserCodeException;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Evaluates Java source one snippet at a time, turns JShell's events into a result object or a typed exception,
 * and releases the static fields of wrappers whose variable was overwritten (so re-running a cell that holds a
 * large value frees the old one).
 */
public final class CellEvaluator {

    /** Returned by {@link #eval(String)} when the last snippet is not an expression. */
    public static final Object NO_VALUE = new Object();

    private final JShell shell;
    private final InProcessExecutionControl control;
    private final SnippetLoaderDelegate delegate;
    private final Map<String, List<Class<?>>> wrappersByVariable = new HashMap<>();
    /** Wrapper classes loaded by the current cell (freed if the cell runs out of memory). */
    private final List<Class<?>> cellWrappers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile List<String> clearedByOutOfMemory = List.of();

    public CellEvaluator(JShell shell, InProcessExecutionControl control, SnippetLoaderDelegate delegate) {
        this.shell = shell;
        this.control = control;
        this.delegate = delegate;
        control.runner().onOutOfMemory(this::releaseCellVariables);
    }

    /** A new top-level cell begins. */
    public void startCell() {
        cellWrappers.clear();
        clearedByOutOfMemory = List.of();
    }

    /**
     * Called when the cell ran out of memory, before JShell builds its error: the variables this cell declared
     * (e.g. the array it was filling) are set to null, so the heap is free again for the kernel and the next cell.
     */
    private void releaseCellVariables() {
        List<Class<?>> wrappers = new ArrayList<>(cellWrappers);
        wrappers.addAll(delegate.peekRecentlyLoaded());
        List<String> cleared = new ArrayList<>();
        for (Class<?> wrapper : wrappers) {
            if (wrapper.getDeclaringClass() != null) {
                continue;
            }
            for (Field f : fieldsOf(wrapper)) {
                int m = f.getModifiers();
                if (Modifier.isStatic(m) && !Modifier.isFinal(m) && !f.getType().isPrimitive() && !f.isSynthetic()) {
                    try {
                        f.setAccessible(true);
                        if (f.get(null) != null) {
                            f.set(null, null);
                            cleared.add(f.getName());
                        }
                    } catch (ReflectiveOperationException | RuntimeException ignored) {
                        // best effort
                    }
                }
            }
        }
        if (!cleared.isEmpty()) { // a second call (worker, then waiting thread) finds nothing left to clear
            clearedByOutOfMemory = cleared;
        }
    }

    /** Evaluates every snippet; returns the last expression's value (none if it ends with ';'), null, or {@link #NO_VALUE}. */
    public synchronized Object eval(String code) {
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        String rest = code;
        Object last = NO_VALUE;
        while (!rest.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(rest);
            SourceCodeAnalysis.Completeness completeness = info.completeness();
            String source;
            if (completeness == SourceCodeAnalysis.Completeness.DEFINITELY_INCOMPLETE
                    || completeness == SourceCodeAnalysis.Completeness.CONSIDERED_INCOMPLETE) {
                throw new IncompleteSourceException(rest);
            } else if (completeness == SourceCodeAnalysis.Completeness.UNKNOWN || info.source() == null) {
                source = rest; // let the compiler report what is wrong with it
                rest = "";
            } else {
                source = info.source();
                String typed = rest.substring(0, rest.length() - info.remaining().length());
                rest = info.remaining();
                if (completeness != SourceCodeAnalysis.Completeness.EMPTY) {
                    Object value = evalSnippet(source);
                    // as in IPython, a trailing semicolon hides the value (e.g. of display(...);)
                    last = typed.strip().endsWith(";") ? NO_VALUE : value;
                }
                continue;
            }
            last = evalSnippet(source);
        }
        return last;
    }

    private Object evalSnippet(String source) {
        LongLiterals.check(source);
        List<SnippetEvent> events = shell.eval(source);
        List<Class<?>> loaded = delegate.drainRecentlyLoaded();
        cellWrappers.addAll(loaded);
        indexWrappers(loaded);
        Object result = NO_VALUE;
        RuntimeException failure = null;
        for (SnippetEvent event : events) {
            Snippet snippet = event.snippet();
            Object value = event.value() != null && snippet.subKind().isExecutable()
                    ? control.takeResult(event.value())
                    : null;
            if (event.status() == Snippet.Status.OVERWRITTEN) {
                release(snippet, loaded);
            }
            if (event.causeSnippet() != null || failure != null) {
                continue;
            }
            if (event.exception() != null) {
                failure = convert(event.exception());
            } else if (event.status() == Snippet.Status.REJECTED) {
                failure = compilationError(snippet);
            } else if (isExpression(snippet.subKind())) {
                result = value;
            } else {
                result = NO_VALUE;
            }
        }
        if (failure != null) {
            throw failure;
        }
        return result;
    }

    private static boolean isExpression(Snippet.SubKind kind) {
        return kind == Snippet.SubKind.VAR_VALUE_SUBKIND
                || kind == Snippet.SubKind.OTHER_EXPRESSION_SUBKIND
                || kind == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND;
    }

    private RuntimeException convert(JShellException e) {
        if (e instanceof UnresolvedReferenceException) {
            DeclarationSnippet decl = ((UnresolvedReferenceException) e).getSnippet();
            String missing = shell.unresolvedDependencies(decl).collect(Collectors.joining(", "));
            return new UnresolvedDependencyException("'" + decl.name() + "' cannot be used until "
                    + (missing.isEmpty() ? "its dependencies are" : missing + " is") + " declared");
        }
        if (e instanceof EvalException) {
            EvalException ee = (EvalException) e;
            if (InProcessExecutionControl.INTERRUPTED_MARKER.equals(ee.getExceptionClassName())) {
                return new EvaluationInterruptedException();
            }
            if (InProcessExecutionControl.TIMEOUT_MARKER.equals(ee.getExceptionClassName())) {
                return new EvaluationTimeoutException(ee.getMessage());
            }
            if (InProcessExecutionControl.NOT_STOPPED_MARKER.equals(ee.getExceptionClassName())) {
                return new CellNotStoppedException(ee.getMessage());
            }
            List<String> cleared = clearedByOutOfMemory;
            if ("java.lang.OutOfMemoryError".equals(ee.getExceptionClassName()) && !cleared.isEmpty()) {
                return new UserCodeException(ee, "to free the memory, this cell's variables were set to null: "
                        + String.join(", ", cleared));
            }
            return new UserCodeException(ee);
        }
        return new RuntimeException(e.getMessage(), e);
    }

    private CompilationException compilationError(Snippet snippet) {
        List<CompilationException.Problem> problems = new ArrayList<>();
        shell.diagnostics(snippet).filter(Diag::isError).forEach(d -> problems.add(new CompilationException.Problem(
                withoutLocation(d.getMessage(Locale.ROOT)), (int) d.getStartPosition(), (int) d.getEndPosition())));
        return new CompilationException(snippet.source(), problems);
    }

    private static String withoutLocation(String message) {
        return message.lines()
                .filter(l -> !l.strip().startsWith("location:"))
                .collect(Collectors.joining("\n"));
    }

    /** Remembers, per variable name, the top-level wrapper classes that hold a static field of that name. */
    private void indexWrappers(List<Class<?>> loaded) {
        for (Class<?> klass : loaded) {
            if (klass.getDeclaringClass() != null) {
                continue;
            }
            try {
                for (Field f : klass.getDeclaredFields()) {
                    if (Modifier.isStatic(f.getModifiers()) && !f.isSynthetic()) {
                        wrappersByVariable.computeIfAbsent(f.getName(), k -> new ArrayList<>()).add(klass);
                    }
                }
            } catch (LinkageError e) {
                // a field type that does not resolve: this wrapper cannot be released, which costs only memory
            }
        }
    }

    private static Field[] fieldsOf(Class<?> klass) {
        try {
            return klass.getDeclaredFields();
        } catch (LinkageError e) {
            return new Field[0];
        }
    }

    /** Nulls the non-final reference statics of the old wrapper(s) of an overwritten variable. */
    private void release(Snippet overwritten, List<Class<?>> justLoaded) {
        if (!(overwritten instanceof VarSnippet)) {
            return;
        }
        List<Class<?>> wrappers = wrappersByVariable.get(((VarSnippet) overwritten).name());
        // Re-running identical source makes JShell re-use the wrapper class (nothing new is loaded): the field
        // already holds the new value and must stay. Otherwise the new value lives in a just-loaded wrapper.
        if (wrappers == null || wrappers.stream().noneMatch(justLoaded::contains)) {
            return;
        }
        wrappers.removeIf(wrapper -> {
            if (justLoaded.contains(wrapper)) {
                return false;
            }
            for (Field f : fieldsOf(wrapper)) {
                int m = f.getModifiers();
                if (Modifier.isStatic(m) && !Modifier.isFinal(m) && !f.getType().isPrimitive()) {
                    try {
                        f.setAccessible(true);
                        f.set(null, null);
                    } catch (ReflectiveOperationException | RuntimeException ignored) {
                        // best effort: the value stays reachable, nothing else breaks
                    }
                }
            }
            return true;
        });
    }
}
