package org.loralab.kernel.channels;

/** The kernel-owned loop threads of the sockets. */
final class LoopThreads {
    private LoopThreads() {}

    /** Waits until {@code loop} has ended; interrupts do not cut the wait (the loop ends when the socket closes). */
    static void awaitEnd(Thread loop) {
        while (loop != null && loop.isAlive()) {
            try {
                loop.join();
            } catch (InterruptedException ignored) {
                // keep waiting
            }
        }
    }
}
