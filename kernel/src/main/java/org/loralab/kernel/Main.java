package org.loralab.kernel;

import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;
import org.loralab.kernel.channels.KernelChannels;
import org.loralab.kernel.channels.KernelLog;

import java.nio.file.Files;
import java.nio.file.Path;

/** Entry point: {@code java -jar kernel.jar CONNECTION_FILE}. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: java -jar kernel.jar CONNECTION_FILE  (Jupyter starts this from kernel.json)");
            System.exit(2);
        }
        KernelLog.warn("starting (pid " + ProcessHandle.current().pid() + ")"); // loads the log before any Error needs it
        ParentWatch.start(System.getenv(), Main::exitNow);
        KernelConnectionProperties props = KernelConnectionProperties.parse(Files.readString(Path.of(args[0])));
        JupyterConnection connection = new JupyterConnection(props);
        KernelChannels channels = KernelChannels.install(connection, props);

        JShellKernel kernel = JShellKernelBuilder.fromEnvironment(System.getenv()).build();
        kernel.useChannels(channels);
        kernel.becomeHandlerForConnection(connection);
        connection.connect();
        SigintInterrupts.install(kernel::interrupt);
        // kernel_info is answered at once; requests that use JShell wait until all of start-up is done
        kernel.startInBackground(() -> KernelStartup.run(kernel, System.getenv()));
        connection.waitUntilClose();
        // stray non-daemon threads started by notebook code must not keep the process alive
        exitNow();
    }

    /** System.exit, and halt if a shutdown hook (user code may add one) does not let it finish. */
    static void exitNow() {
        Thread halt = new Thread(() -> {
            try {
                Thread.sleep(3000);
            } catch (InterruptedException ignored) {
                // halt now
            }
            KernelLog.warn("shutdown hooks did not finish within 3 s; halting");
            Runtime.getRuntime().halt(0);
        }, "loralab-halt");
        halt.setDaemon(true);
        halt.start();
        System.exit(0);
    }
}
