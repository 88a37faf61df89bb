package org.loralab.kernel;

import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.channels.ShellChannel;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;
import org.zeromq.ZMQ;

import java.lang.reflect.Field;

/**
 * jjava-jupyter 1.0-a6's shell loop polls without blocking and then sleeps 50 ms, so each request waits up to
 * 50 ms before the kernel sees it. Its ShellChannel takes the sleep as a constructor argument, but
 * JupyterConnection builds the channels with the default: replace the (not yet bound) shell and control channels
 * by ones with a short sleep. Best effort: on any failure the connection keeps its own channels.
 */
final class QuickShellLoop {

    static final long SLEEP_MS = 2;

    private QuickShellLoop() {
    }

    static void apply(JupyterConnection connection, KernelConnectionProperties props) {
        try {
            Field ctxField = JupyterConnection.class.getDeclaredField("ctx");
            ctxField.setAccessible(true);
            ZMQ.Context ctx = (ZMQ.Context) ctxField.get(connection);
            replace(connection, "shell", new ShellChannel(ctx, props.createHMACGenerator(), false, connection, SLEEP_MS));
            replace(connection, "control", new ShellChannel(ctx, props.createHMACGenerator(), true, connection, SLEEP_MS));
        } catch (ReflectiveOperationException | RuntimeException | java.security.GeneralSecurityException e) {
            System.err.println("loralab kernel: keeping jjava's 50 ms shell loop (" + e + ")");
        }
    }

    private static void replace(JupyterConnection connection, String name, ShellChannel channel)
            throws ReflectiveOperationException {
        Field field = JupyterConnection.class.getDeclaredField(name);
        field.setAccessible(true);
        ShellChannel old = (ShellChannel) field.get(connection);
        field.set(connection, channel);
        old.close();
    }
}
