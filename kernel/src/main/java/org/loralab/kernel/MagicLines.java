package org.loralab.kernel;

import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.loralab.kernel.exec.CodeAssist;

import java.util.Set;
import java.util.function.Supplier;

/** Which lines of a cell are line magics (the rest is Java). */
final class MagicLines {

    private final Supplier<Set<String>> knownLineMagics;
    private final CodeAssist assist;

    MagicLines(Supplier<Set<String>> knownLineMagics, CodeAssist assist) {
        this.knownLineMagics = knownLineMagics;
        this.assist = assist;
    }

    /**
     * A line is a magic when it starts with {@code %name} (a letter right after the %) and either names a known
     * magic where a new statement may start, or names an unknown one after a finished statement (then the user gets
     * "unknown magic"). Anything else, e.g. {@code % 7;} or {@code %x} continuing {@code int a = 20}, is Java.
     */
    boolean isMagicLine(String stripped, StringBuilder pending) {
        if (!stripped.startsWith("%") || stripped.startsWith("%%") || stripped.length() < 2
                || !Character.isJavaIdentifierStart(stripped.charAt(1))) {
            return false;
        }
        String name = stripped.substring(1).split("[\\s(;=+*/%<>!&|^.,\\[\\]-]", 2)[0];
        if (name.equals("time") || knownLineMagics.get().contains(name)) {
            return readyForMagic(pending);
        }
        String before = pending.toString().strip();
        return before.isEmpty() || before.endsWith(";") || before.endsWith("}");
    }

    /** A % line is a magic unless it continues an unfinished Java statement (e.g. a modulo on the next line). */
    private boolean readyForMagic(StringBuilder pending) {
        if (pending.toString().isBlank()) {
            return true;
        }
        String status = assist.isComplete(pending.toString());
        return status.equals(BaseKernel.IS_COMPLETE_YES) || status.equals(BaseKernel.IS_COMPLETE_BAD);
    }
}
