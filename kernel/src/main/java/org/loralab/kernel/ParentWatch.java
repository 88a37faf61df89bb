package org.loralab.kernel;

import org.loralab.kernel.channels.KernelLog;

import java.util.Map;
import java.util.Optional;

/**
 * Ends the kernel when the process that started it is gone, as ipykernel's parent poller does: the process named by
 * {@code JPY_PARENT_PID} (set by jupyter_client) is not running (checked from the first moment: a parent killed while
 * the JVM was still starting counts too), or this process was re-parented (its parent died).
 * Without this a kernel whose server was killed keeps running and listening.
 */
final class ParentWatch {

    static final String ENV_PARENT_PID = "JPY_PARENT_PID";
    private static final long PERIOD_MS = 1000;

    private ParentWatch() {
    }

    static void start(Map<String, String> env, Runnable exit) {
        long declared = parse(env.get(ENV_PARENT_PID));
        long initialParent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
        Optional<ProcessHandle> declaredHandle = declared > 0 ? ProcessHandle.of(declared) : Optional.empty();
        Thread t = new Thread(() -> {
            while (true) {
                try {
                    String gone = declared > 0 && declaredHandle.isEmpty()
                            ? "the parent process " + declared + " (" + ENV_PARENT_PID + ") is not running"
                            : gone(declaredHandle, initialParent);
                    if (gone != null) {
                        KernelLog.warn(gone + ": exiting");
                        exit.run();
                        return;
                    }
                    Thread.sleep(PERIOD_MS);
                } catch (InterruptedException e) {
                    return;
                } catch (Throwable t2) {
                    // keep watching (e.g. a transient OutOfMemoryError)
                }
            }
        }, "loralab-parent-watch");
        t.setDaemon(true);
        t.start();
    }

    private static String gone(Optional<ProcessHandle> declared, long initialParent) {
        if (declared.isPresent() && !declared.get().isAlive()) {
            return "the parent process " + declared.get().pid() + " (" + ENV_PARENT_PID + ") has ended";
        }
        long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
        if (initialParent > 1 && parent != initialParent) {
            return "the parent process " + initialParent + " has ended";
        }
        return null;
    }

    private static long parse(String pid) {
        try {
            return pid == null ? -1 : Long.parseLong(pid.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
