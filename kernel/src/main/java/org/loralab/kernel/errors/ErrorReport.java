package org.loralab.kernel.errors;

import jdk.jshell.EvalException;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * What the notebook shows for a failed cell: ename, evalue and traceback lines (no newlines inside a line).
 * Compile errors show the source line with the span marked; user exceptions show the user's class, message and
 * stack without kernel, JShell or reflection frames.
 */
public record ErrorReport(String ename, String evalue, List<String> traceback) {

    private static final String[] HIDDEN_FRAME_PREFIXES = {
        "org.loralab.kernel.", "jdk.jshell.", "jdk.internal.reflect.", "java.lang.reflect.", "java.util.concurrent.",
        "java.lang.Thread.run", "org.dflib.jjava.",
    };

    public static ErrorReport of(Throwable t) {
        Throwable e = unwrap(t);
        if (e instanceof CompilationException) {
            return compilation((CompilationException) e);
        }
        if (e instanceof UserCodeException) {
            EvalException thrown = ((UserCodeException) e).thrown();
            List<String> lines = new ArrayList<>();
            appendUserException(thrown, lines, false);
            return new ErrorReport(simpleName(thrown.getExceptionClassName()), message(thrown), lines);
        }
        String name = e.getClass().getSimpleName();
        if (e.getClass().getPackageName().startsWith("org.loralab.kernel")) {
            // our own one-line errors (unknown magic, interrupted, incomplete input...): the message says it all
            return new ErrorReport(name, message(e), List.of(name + ": " + message(e)));
        }
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        return new ErrorReport(name, message(e), trace.toString().lines().toList());
    }

    private static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while (e.getClass() == RuntimeException.class && e.getCause() != null && e.getMessage() != null
                && e.getMessage().equals(e.getCause().toString())) {
            e = e.getCause();
        }
        return e;
    }

    private static ErrorReport compilation(CompilationException e) {
        List<String> lines = new ArrayList<>();
        String source = e.source();
        for (CompilationException.Problem p : e.problems()) {
            int start = Math.max(0, Math.min(p.start(), source.length()));
            int end = Math.max(start + 1, Math.min(p.end(), source.length()));
            int lineStart = source.lastIndexOf('\n', start - 1) + 1;
            int lineEnd = source.indexOf('\n', start);
            if (lineEnd < 0) {
                lineEnd = source.length();
            }
            int lineNo = (int) source.substring(0, lineStart).chars().filter(c -> c == '\n').count() + 1;
            lines.add("line " + lineNo + ": " + p.message().lines().findFirst().orElse(""));
            p.message().lines().skip(1).forEach(l -> lines.add("    " + l.strip()));
            lines.add("    " + source.substring(lineStart, lineEnd));
            int width = Math.max(1, Math.min(end, lineEnd) - start);
            lines.add("    " + " ".repeat(start - lineStart) + "^".repeat(width));
        }
        if (e.problems().isEmpty()) {
            lines.add(e.getMessage());
        }
        return new ErrorReport("CompilationException", e.getMessage(), lines);
    }

    private static void appendUserException(EvalException e, List<String> lines, boolean cause) {
        String header = e.getExceptionClassName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        lines.add(cause ? "Caused by: " + header : header);
        for (StackTraceElement frame : e.getStackTrace()) {
            if (!hidden(frame)) {
                lines.add("\tat " + describe(frame));
            }
        }
        if (e.getCause() instanceof EvalException && lines.size() < 500) {
            appendUserException((EvalException) e.getCause(), lines, true);
        }
    }

    private static boolean hidden(StackTraceElement frame) {
        String where = frame.getClassName() + "." + frame.getMethodName();
        for (String prefix : HIDDEN_FRAME_PREFIXES) {
            if (where.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** JShell wrapper frames read as {@code REPL.$JShell$12.f}; show them as {@code f(#12:3)} like jshell does. */
    private static String describe(StackTraceElement frame) {
        String cls = frame.getClassName();
        if (cls.startsWith("REPL.$JShell$")) {
            String rest = cls.substring("REPL.$JShell$".length());
            int inner = rest.indexOf('$');
            String owner = inner < 0 ? "" : rest.substring(inner + 1).replace('$', '.') + ".";
            String method = frame.getMethodName().equals("do_it$") ? "<cell>" : frame.getMethodName();
            return owner + method + "(" + (frame.getFileName() == null ? "snippet" : frame.getFileName())
                    + (frame.getLineNumber() > 0 ? ":" + frame.getLineNumber() : "") + ")";
        }
        return frame.toString();
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? "" : e.getMessage();
    }
}
