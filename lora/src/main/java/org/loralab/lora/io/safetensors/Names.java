package org.loralab.lora.io.safetensors;

/** Names from untrusted files, made safe for a one-line message. */
public final class Names {
    private static final int MAX = 120;

    private Names() {}

    /** {@code 'name'}, control characters escaped, cut to a readable length. */
    public static String quote(String name) {
        return "'" + clip(name) + "'";
    }

    public static String clip(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < MAX; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (b.length() >= MAX && s.length() > MAX) {
            b.setLength(MAX);
            b.append("...");
        }
        return b.toString();
    }

    /** The first line of a library's message (Gson adds a troubleshooting link on a second line). */
    public static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return clip(nl < 0 ? s : s.substring(0, nl));
    }

    /** Gson's parse error without its advice to parse leniently: what is wrong and where. */
    public static String jsonError(String message) {
        String m = firstLine(message);
        java.util.regex.Matcher at = java.util.regex.Pattern.compile("at line \\d+ column \\d+").matcher(m);
        String where = at.find() ? at.group() : "";
        if (m.contains("setStrictness") || m.contains("setLenient")) {
            return ("malformed JSON " + where).strip();
        }
        return m;
    }
}
