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

    /** Frames shown per exception (repeats folded first), and lines in all. */
    static final int MAX_FRAMES_PER_EXCEPTION = 24;
    static final int MAX_LINES = 60;
    /** Longest source line quoted under a compile error (the marked span stays visible). */
    static final int MAX_QUOTED = 160;

    public static ErrorReport of(Throwable t) {
        Throwable e = unwrap(t);
        if (e instanceof CompilationException) {
            return compilation((CompilationException) e);
        }
        if (e instanceof UserCodeException) {
            EvalException thrown = ((UserCodeException) e).thrown();
            String cls = thrown.getExceptionClassName();
            if (cls != null && cls.startsWith("org.loralab.kernel.")) {
                // the kernel refused something the cell did (e.g. System.exit): its message says it all
                String name = simpleName(cls);
                return new ErrorReport(name, message(thrown), List.of(name + ": " + message(thrown)));
            }
            List<String> lines = new ArrayList<>();
            appendUserException(thrown, lines, false);
            String note = ((UserCodeException) e).note();
            if (note != null) {
                lines.add(note);
            }
            return new ErrorReport(simpleName(cls), message(thrown), lines);
        }
        if (e instanceof MagicFailedException) {
            return magicFailure((MagicFailedException) e);
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

    private static ErrorReport magicFailure(MagicFailedException e) {
        Throwable cause = e.getCause();
        String name = cause.getClass().getSimpleName();
        List<String> lines = new ArrayList<>();
        String m = message(cause);
        // an extension's own user-facing message already names the magic: show it as it is
        lines.add(m.startsWith(e.magic() + ":") ? m : e.magic() + ": " + name + (m.isEmpty() ? "" : ": " + m));
        Throwable c = cause.getCause();
        for (int depth = 0; c != null && c != cause && depth < 8; depth++, c = c.getCause()) {
            lines.add("Caused by: " + c.getClass().getSimpleName() + (message(c).isEmpty() ? "" : ": " + message(c)));
        }
        return new ErrorReport(name, message(cause), lines);
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
            // a very long line is quoted around the error only
            int from = Math.max(lineStart, Math.min(start - MAX_QUOTED / 2, lineEnd - MAX_QUOTED));
            int to = Math.min(lineEnd, from + MAX_QUOTED);
            String prefix = from > lineStart ? "..." : "";
            lines.add("    " + prefix + source.substring(from, to) + (to < lineEnd ? "..." : ""));
            int width = Math.max(1, Math.min(Math.min(end, lineEnd), to) - start);
            lines.add("    " + " ".repeat(prefix.length() + Math.max(0, start - from)) + "^".repeat(width));
            if (lines.size() > MAX_LINES) {
                lines.add("... (more errors not shown)");
                break;
            }
        }
        if (e.problems().isEmpty()) {
            lines.add(e.getMessage());
        }
        return new ErrorReport("CompilationException", e.getMessage(), lines);
    }

    private static void appendUserException(EvalException e, List<String> lines, boolean cause) {
        String header = displayName(e.getExceptionClassName()) + (e.getMessage() == null ? "" : ": " + e.getMessage());
        lines.add(cause ? "Caused by: " + header : header);
        List<String> frames = new ArrayList<>();
        for (StackTraceElement frame : e.getStackTrace()) {
            if (!hidden(frame)) {
                frames.add("\tat " + describe(frame));
            }
        }
        lines.addAll(StackFolding.fold(frames, MAX_FRAMES_PER_EXCEPTION));
        if (e.getCause() instanceof EvalException && lines.size() < MAX_LINES) {
            appendUserException((EvalException) e.getCause(), lines, true);
        }
    }

    /**
     * A JShell class name as the user wrote it: {@code REPL.$JShell$17$MyEx} is {@code MyEx},
     * {@code REPL.$JShell$17$Outer$Inner} is {@code Outer.Inner}; other names unchanged.
     */
    public static String displayName(String className) {
        if (className == null) {
            return "Throwable";
        }
        if (className.startsWith("REPL.$JShell$")) {
            String rest = className.substring("REPL.$JShell$".length());
            int inner = rest.indexOf('$');
            return inner < 0 ? rest : rest.substring(inner + 1).replace('$', '.');
        }
        return className;
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
        String name = displayName(className);
        return className != null && className.startsWith("REPL.") ? name : name.substring(name.lastIndexOf('.') + 1);
    }

    private static String message(Throwable e) {
        String m = org.loralab.kernel.exec.ThrowableText.message(e);
        return m == null ? "" : m;
    }
}
