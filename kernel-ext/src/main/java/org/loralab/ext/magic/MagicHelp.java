package org.loralab.ext.magic;

import java.util.ArrayList;
import java.util.List;

/** One line of {@code %lab help}: the magic, its usage, and the public Java call it wraps. */
public record MagicHelp(String magic, String usage, String javaCall) {

    /** Every magic's line, as {@code %lab help} lists them. */
    public static List<MagicHelp> all() {
        List<MagicHelp> out = new ArrayList<>(LabMagics.HELP);
        out.addAll(ModelMagics.HELP);
        return List.copyOf(out);
    }
}
