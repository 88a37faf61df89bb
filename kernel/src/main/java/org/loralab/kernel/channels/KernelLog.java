package org.loralab.kernel.channels;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** The kernel's own log: the process's real stderr (the Jupyter server's console), never a cell's output. */
public final class KernelLog {

    private static final PrintStream ERR =
            new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);

    private KernelLog() {
    }

    /** Builds the line inside the guard: under OutOfMemoryError even the string concatenation may fail. */
    public static void warn(String what, Throwable t) {
        try {
            ERR.println("loralab kernel: " + what + ": " + t);
        } catch (Throwable ignored) {
            // dropped: the loop that logs must survive
        }
    }

    public static void warn(String message) {
        try {
            ERR.println("loralab kernel: " + message);
        } catch (Throwable ignored) {
            // logging must never take a kernel thread down (e.g. under OutOfMemoryError)
        }
    }
}
