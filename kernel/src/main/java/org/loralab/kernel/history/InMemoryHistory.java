package org.loralab.kernel.history;

import org.dflib.jjava.jupyter.kernel.history.HistoryEntry;
import org.dflib.jjava.jupyter.kernel.history.HistoryManager;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** The cells of this kernel session, in memory; answers every history_request (never null). */
public final class InMemoryHistory implements HistoryManager {

    /** IPython numbers the current session 0 in range requests; we have only this one session. */
    private static final int SESSION = 0;

    private final List<HistoryEntry> entries = new ArrayList<>();

    /** Records a cell's input; its text/plain result may follow through {@link #recordOutput}. */
    public synchronized void record(int executionCount, String input) {
        entries.add(new HistoryEntry(SESSION, executionCount, input, ""));
    }

    public synchronized void recordOutput(int executionCount, String output) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            HistoryEntry e = entries.get(i);
            if (e.getCellNumber() == executionCount) {
                entries.set(i, new HistoryEntry(SESSION, executionCount, e.getInput(), output == null ? "" : output));
                return;
            }
        }
    }

    /** Output is sent only when the request asked for it (the reply's shape depends on it). */
    private static List<HistoryEntry> shaped(List<HistoryEntry> list, Set<ResultFlag> flags) {
        if (flags.contains(ResultFlag.INCLUDE_OUTPUT)) {
            return list;
        }
        List<HistoryEntry> out = new ArrayList<>(list.size());
        for (HistoryEntry e : list) {
            out.add(new HistoryEntry(e.getSession(), e.getCellNumber(), e.getInput(), null));
        }
        return out;
    }

    @Override
    public synchronized List<HistoryEntry> lookupTail(int length, Set<ResultFlag> flags) {
        int n = Math.max(0, Math.min(length, entries.size()));
        return shaped(entries.subList(entries.size() - n, entries.size()), flags);
    }

    @Override
    public synchronized List<HistoryEntry> lookupRange(int session, int start, int stop, Set<ResultFlag> flags) {
        List<HistoryEntry> out = new ArrayList<>();
        if (session > 0) {
            return out; // earlier sessions are not kept
        }
        for (HistoryEntry e : entries) {
            if (e.getCellNumber() >= start && (stop <= 0 || e.getCellNumber() < stop)) {
                out.add(e);
            }
        }
        return shaped(out, flags);
    }

    @Override
    public synchronized List<HistoryEntry> search(String glob, int length, Set<ResultFlag> flags) {
        Pattern pattern = Pattern.compile(globToRegex(glob == null || glob.isEmpty() ? "*" : glob), Pattern.DOTALL);
        List<HistoryEntry> matches = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (int i = entries.size() - 1; i >= 0; i--) {
            HistoryEntry e = entries.get(i);
            if (!pattern.matcher(e.getInput()).matches()) {
                continue;
            }
            if (flags.contains(ResultFlag.UNIQUE) && !seen.add(e.getInput())) {
                continue;
            }
            matches.add(0, e);
            if (length > 0 && matches.size() >= length) {
                break;
            }
        }
        return shaped(matches, flags);
    }

    /** IPython's history search takes a glob: '*' any run, '?' one character. */
    static String globToRegex(String glob) {
        StringBuilder re = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*') {
                re.append(".*");
            } else if (c == '?') {
                re.append('.');
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return re.toString();
    }
}
