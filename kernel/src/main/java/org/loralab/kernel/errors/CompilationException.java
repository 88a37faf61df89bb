package org.loralab.kernel.errors;

import java.util.List;

/** A snippet did not compile; carries the source and JShell's diagnostics. */
public final class CompilationException extends RuntimeException {

    /** One diagnostic: its message and the [start, end) span in {@link #source()}. */
    public record Problem(String message, int start, int end) {
    }

    private final String source;
    private final List<Problem> problems;

    public CompilationException(String source, List<Problem> problems) {
        super(problems.isEmpty() ? "the snippet was rejected" : problems.get(0).message());
        this.source = source;
        this.problems = List.copyOf(problems);
    }

    public String source() {
        return source;
    }

    public List<Problem> problems() {
        return problems;
    }
}
