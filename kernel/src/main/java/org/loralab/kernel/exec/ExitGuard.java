package org.loralab.kernel.exec;

import org.loralab.kernel.errors.ExitRefusedException;

/** What woven snippet code calls instead of System.exit, Runtime.exit and Runtime.halt; must stay public and static. */
public final class ExitGuard {

    private ExitGuard() {
    }

    public static void systemExit(int status) {
        throw new ExitRefusedException("System.exit", status);
    }

    public static void runtimeExit(Runtime runtime, int status) {
        throw new ExitRefusedException("Runtime.exit", status);
    }

    public static void runtimeHalt(Runtime runtime, int status) {
        throw new ExitRefusedException("Runtime.halt", status);
    }
}
