package org.loralab.kernel.channels;

import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.channels.JupyterSocket;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;
import org.dflib.jjava.jupyter.messages.HMACGenerator;
import org.zeromq.ZMQ;

import java.lang.reflect.Field;

/**
 * Replaces the (not yet bound) sockets of a jjava-jupyter 1.0-a6 connection by the kernel's own: shell and control
 * loops that survive forged messages and failing handlers and answer without a polling delay, a heartbeat that
 * survives an OutOfMemoryError, IOPub through one sender thread, stdin through one thread. Each socket is used by
 * exactly one kernel thread, and the kernel never interrupts those threads.
 */
public final class KernelChannels {

    private final QueuedIOPub iopub;

    private KernelChannels(QueuedIOPub iopub) {
        this.iopub = iopub;
    }

    /** Must run before {@code connection.connect()} and before a kernel becomes its handler. */
    public static KernelChannels install(JupyterConnection connection, KernelConnectionProperties props) {
        try {
            ZMQ.Context ctx = (ZMQ.Context) field("ctx").get(connection);
            HMACGenerator hmac = props.createHMACGenerator();
            QueuedIOPub iopub = new QueuedIOPub(ctx, hmac);
            replace(connection, "heartbeat", new RobustHeartbeat(ctx, hmac));
            replace(connection, "shell", new RobustShellChannel(ctx, hmac, false, connection));
            replace(connection, "control", new RobustShellChannel(ctx, hmac, true, connection));
            replace(connection, "stdin", new BridgedStdin(ctx, hmac));
            replace(connection, "iopub", iopub);
            return new KernelChannels(iopub);
        } catch (ReflectiveOperationException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up the kernel's sockets on this jjava-jupyter version: " + e, e);
        }
    }

    /** Waits until every IOPub message published so far has left (so output precedes the reply). */
    public void flushIOPub(long timeoutMs) {
        iopub.flush(timeoutMs);
    }

    private static Field field(String name) throws NoSuchFieldException {
        Field f = JupyterConnection.class.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }

    private static void replace(JupyterConnection connection, String name, JupyterSocket socket)
            throws ReflectiveOperationException {
        Field f = field(name);
        JupyterSocket old = (JupyterSocket) f.get(connection);
        f.set(connection, socket);
        old.close();
    }
}
