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
        QuickShellLoop.apply(connection, props);

        JShellKernel kernel = JShellKernelBuilder.fromEnvironment(System.getenv()).build();
        kernel.becomeHandlerForConnection(connection);
        connection.connect();
        // kernel_info is answered at once; requests that use JShell wait until all of start-up is done
        kernel.startInBackground(() -> KernelStartup.run(kernel, System.getenv()));
        connection.waitUntilClose();
        // stray non-daemon threads started by notebook code must not keep the process alive
        System.exit(0);
    }
}
