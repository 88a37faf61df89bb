package org.loralab.kernel.errors;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Shortens stack frames: runs of a repeated frame group (recursion) show once, then the frame count is capped. */
final class StackFolding {

    private static final int MAX_CYCLE = 8;
    private static final int MIN_REPEATS = 3;

    private StackFolding() {
    }

    static List<String> fold(List<String> frames, int maxFrames) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < frames.size()) {
            int bestLength = 0;
            int bestRepeats = 1;
            for (int length = 1; length <= MAX_CYCLE && i + length <= frames.size(); length++) {
                int repeats = repeats(frames, i, length);
                if (repeats >= MIN_REPEATS && length * repeats > bestLength * bestRepeats) {
                    bestLength = length;
                    bestRepeats = repeats;
                }
            }
            if (bestLength == 0) {
                out.add(frames.get(i));
                i++;
            } else {
                out.addAll(frames.subList(i, i + bestLength));
                out.add(String.format(Locale.ROOT, "\t... %,d more frames like the above",
                        bestLength * (bestRepeats - 1)));
                i += bestLength * bestRepeats;
            }
            if (out.size() >= maxFrames && i < frames.size()) {
                out.add(String.format(Locale.ROOT, "\t... %,d more frames", frames.size() - i));
                break;
            }
        }
        return out;
    }

    private static int repeats(List<String> frames, int at, int length) {
        int repeats = 1;
        while (at + (repeats + 1) * length <= frames.size()
                && frames.subList(at, at + length).equals(frames.subList(at + repeats * length,
                at + (repeats + 1) * length))) {
            repeats++;
        }
        return repeats;
    }
}
