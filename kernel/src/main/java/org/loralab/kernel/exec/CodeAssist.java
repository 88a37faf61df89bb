package org.loralab.kernel.exec;

import jdk.jshell.JShell;
import jdk.jshell.SourceCodeAnalysis;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Completion, inspection and is_complete on top of JShell's {@link SourceCodeAnalysis}. */
public final class CodeAssist {

    private static final Pattern MAGIC_PREFIX = Pattern.compile("^\\s*(%%?)(\\w*)$");
    private static final Pattern MAGIC_LINE = Pattern.compile("(?m)^[ \\t]*%.*$");

    private final JShell shell;
    private final Supplier<Collection<String>> lineMagics;
    private final Supplier<Collection<String>> cellMagics;

    public CodeAssist(JShell shell, Supplier<Collection<String>> lineMagics, Supplier<Collection<String>> cellMagics) {
        this.shell = shell;
        this.lineMagics = lineMagics;
        this.cellMagics = cellMagics;
    }

    public ReplacementOptions complete(String code, int at) {
        int lineStart = code.lastIndexOf('\n', Math.max(0, at - 1)) + 1;
        if (lineStart > at) {
            lineStart = 0;
        }
        Matcher magic = MAGIC_PREFIX.matcher(code.substring(lineStart, at));
        if (magic.matches()) {
            boolean cell = magic.group(1).length() == 2;
            String prefix = magic.group(2);
            List<String> names = new ArrayList<>();
            for (String name : (cell ? cellMagics : lineMagics).get()) {
                if (name.startsWith(prefix)) {
                    names.add(magic.group(1) + name);
                }
            }
            names.sort(null);
            return new ReplacementOptions(names, lineStart + magic.start(1), at);
        }
        int[] anchor = new int[1];
        List<SourceCodeAnalysis.Suggestion> suggestions =
                shell.sourceCodeAnalysis().completionSuggestions(blankMagicLines(code), at, anchor);
        Set<String> options = new LinkedHashSet<>();
        suggestions.stream().filter(SourceCodeAnalysis.Suggestion::matchesType)
                .forEach(s -> options.add(s.continuation()));
        suggestions.forEach(s -> options.add(s.continuation()));
        return new ReplacementOptions(new ArrayList<>(options), anchor[0], at);
    }

    public DisplayData inspect(String code, int at) {
        String source = blankMagicLines(code);
        int end = Math.min(at, source.length());
        while (end < source.length() && Character.isJavaIdentifierPart(source.charAt(end))) {
            end++;
        }
        int next = end;
        while (next < source.length() && Character.isWhitespace(source.charAt(next))) {
            next++;
        }
        List<SourceCodeAnalysis.Documentation> docs;
        if (next < source.length() && source.charAt(next) == '(') {
            docs = shell.sourceCodeAnalysis().documentation(source, next + 1, true);
        } else {
            docs = shell.sourceCodeAnalysis().documentation(source, end, true);
            if (docs.isEmpty()) {
                // "Math.max" with the cursor at its end finds nothing; "Math.max(" finds the overloads
                docs = shell.sourceCodeAnalysis().documentation(source.substring(0, end) + "(", end + 1, true);
            }
        }
        if (docs.isEmpty()) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        StringBuilder html = new StringBuilder("<pre>");
        for (SourceCodeAnalysis.Documentation doc : docs) {
            text.append(doc.signature()).append('\n');
            html.append("<b>").append(escape(doc.signature())).append("</b>\n");
            if (doc.javadoc() != null && !doc.javadoc().isBlank()) {
                text.append(doc.javadoc().strip()).append("\n\n");
                html.append(escape(doc.javadoc().strip())).append("\n\n");
            }
        }
        DisplayData data = new DisplayData(text.toString().strip());
        data.putHTML(html.append("</pre>").toString());
        return data;
    }

    /** "complete", "invalid", or the indent for the next line when the code is unfinished. */
    public String isComplete(String code) {
        String rest = blankMagicLines(code);
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        while (!rest.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(rest);
            switch (info.completeness()) {
                case COMPLETE:
                case COMPLETE_WITH_SEMI:
                case EMPTY:
                    rest = info.remaining();
                    break;
                case DEFINITELY_INCOMPLETE:
                case CONSIDERED_INCOMPLETE:
                    return indentFor(rest);
                default:
                    return BaseKernel.IS_COMPLETE_BAD;
            }
        }
        return BaseKernel.IS_COMPLETE_YES;
    }

    /** Four spaces per bracket still open at the end of {@code code}, at least four. */
    static String indentFor(String code) {
        int depth = 0;
        boolean inString = false;
        char quote = 0;
        for (int i = 0; i < code.length(); i++) {
            char c = code.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    inString = false;
                }
            } else if (c == '"' || c == '\'') {
                inString = true;
                quote = c;
            } else if (c == '{' || c == '(' || c == '[') {
                depth++;
            } else if (c == '}' || c == ')' || c == ']') {
                depth = Math.max(0, depth - 1);
            }
        }
        return "    ".repeat(Math.max(1, depth));
    }

    /** Replaces magic lines by blanks of the same length, so JShell sees Java only and offsets stay put. */
    static String blankMagicLines(String code) {
        Matcher m = MAGIC_LINE.matcher(code);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, " ".repeat(m.group().length()));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
