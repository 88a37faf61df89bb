package org.loralab.kernel;

import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;

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
        KernelConnectionProperties props = KernelConnectionProperties.parse(Files.readString(Path.of(args[0])));
        JupyterConnection connection = new JupyterConnection(props);

        JShellKernel kernel = JShellKernelBuilder.fromEnvironment(System.getenv()).build();
        // Warm JShell, install extensions and add the classpath setting BEFORE connecting: JShell is not thread-safe,
        // and a first cell racing start-up's classpath additions failed inside javac (ConcurrentModificationException).
        KernelStartup.run(kernel, System.getenv());
        kernel.becomeHandlerForConnection(connection);
        connection.connect();
        connection.waitUntilClose();
        // stray non-daemon threads started by notebook code must not keep the process alive
        System.exit(0);
    }
}
