package org.loralab.kernel.exec;

import org.loralab.kernel.errors.SourceLimitException;

import java.util.Locale;

/**
 * Refuses a snippet with a string literal over the class file limit (65,535 bytes of modified UTF-8) before JShell
 * sees it: javac fails on it in a way that JShell reports as success while defining nothing, and that left later
 * declarations of the session silently undefined.
 */
final class LongLiterals {

    static final int MAX_CONSTANT_BYTES = 65_535;

    private LongLiterals() {
    }

    static void check(String source) {
        int n = source.length();
        int i = 0;
        while (i < n) {
            char c = source.charAt(i);
            if (c == '/' && i + 1 < n && source.charAt(i + 1) == '/') {
                int eol = source.indexOf('\n', i);
                i = eol < 0 ? n : eol + 1;
            } else if (c == '/' && i + 1 < n && source.charAt(i + 1) == '*') {
                int end = source.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (c == '\'') {
                i = skipQuoted(source, i + 1, '\'');
            } else if (source.startsWith("\"\"\"", i)) {
                int end = source.indexOf("\"\"\"", i + 3);
                int stop = end < 0 ? n : end;
                refuseIfLong(source, i + 3, stop, i);
                i = end < 0 ? n : end + 3;
            } else if (c == '"') {
                int end = skipQuoted(source, i + 1, '"');
                refuseIfLong(source, i + 1, Math.max(i + 1, end - 1), i);
                i = end;
            } else {
                i++;
            }
        }
    }

    /** Index after the closing quote (or end of line / source when unterminated). */
    private static int skipQuoted(String s, int from, char quote) {
        int i = from;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == quote) {
                return i + 1;
            } else if (c == '\n') {
                return i;
            } else {
                i++;
            }
        }
        return s.length();
    }

    private static void refuseIfLong(String s, int from, int to, int literalStart) {
        if ((to - from) <= MAX_CONSTANT_BYTES / 3) {
            return; // even 3 bytes per char fits
        }
        long bytes = 0;
        int i = from;
        while (i < to) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < to) {
                i += escapeLength(s, i, to);
                bytes += 1; // escapes here denote ASCII or \\u code units (counted as one char, a lower bound)
                continue;
            }
            bytes += c >= 1 && c <= 0x7f ? 1 : c <= 0x7ff ? 2 : 3;
            i++;
        }
        if (bytes > MAX_CONSTANT_BYTES) {
            int line = (int) s.substring(0, literalStart).chars().filter(ch -> ch == '\n').count() + 1;
            throw new SourceLimitException(String.format(Locale.ROOT,
                    "line %d: a string literal of %,d bytes is over Java's limit of %,d bytes per constant;"
                            + " read the text from a file (Files.readString) or build it at run time", line, bytes,
                    MAX_CONSTANT_BYTES));
        }
    }

    private static int escapeLength(String s, int at, int to) {
        char next = s.charAt(at + 1);
        if (next == 'u') {
            int j = at + 1;
            while (j < to && s.charAt(j) == 'u') {
                j++;
            }
            return Math.min(to, j + 4) - at;
        }
        if (next >= '0' && next <= '7') {
            int j = at + 1;
            while (j < to && j < at + 4 && s.charAt(j) >= '0' && s.charAt(j) <= '7') {
                j++;
            }
            return j - at;
        }
        return 2;
    }
}
