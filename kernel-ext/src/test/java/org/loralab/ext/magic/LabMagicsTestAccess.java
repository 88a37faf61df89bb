package org.loralab.ext.magic;

import java.util.List;
import org.loralab.lora.config.AdapterConfig;

/** Test access to the magics' parsing (package-private in main). */
public final class LabMagicsTestAccess {
    private LabMagicsTestAccess() {}

    public static AdapterConfig searchTemplate(List<String> args) {
        return LabMagics.searchCall(args).template();
    }

    public static AdapterConfig sweepTemplate(List<String> args) {
        return LabMagics.sweepCall(args).template();
    }
}
