package org.loralab.kernel;

import org.loralab.kernel.channels.KernelLog;

/**
 * SIGINT interrupts the running cell instead of ending the JVM (a frontend whose kernelspec says
 * {@code interrupt_mode: signal}, or Ctrl-C in a terminal running the kernel).
 */
final class SigintInterrupts {

    private SigintInterrupts() {
    }

    static void install(Runnable interrupt) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), signal -> interrupt.run());
        } catch (Throwable t) {
            KernelLog.warn("SIGINT keeps its default meaning (" + t + ")");
        }
    }
}
