package org.loralab.kernel.channels;

import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.channels.ShellChannel;
import org.dflib.jjava.jupyter.channels.ShellHandler;
import org.dflib.jjava.jupyter.channels.ShellReplyEnvironment;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;
import org.dflib.jjava.jupyter.messages.HMACGenerator;
import org.dflib.jjava.jupyter.messages.Message;
import org.zeromq.ZMQ;

import java.util.List;

/**
 * The shell or control socket with a loop that never dies: a forged, unsigned or malformed message is logged and
 * dropped; an exception or Error (OutOfMemoryError included) in a handler is logged and the loop goes on. The loop
 * blocks in poll (no sleep between requests), and this thread is never interrupted by the kernel: it alone reads and
 * replies on its socket.
 */
final class RobustShellChannel extends ShellChannel {

    private static final long POLL_MS = 200;

    private final JupyterConnection connection;
    private final HMACGenerator hmac;
    private final String role;
    private volatile boolean running;
    private volatile Thread loop;

    RobustShellChannel(ZMQ.Context context, HMACGenerator hmac, boolean control, JupyterConnection connection) {
        super(context, hmac, control, connection, 0);
        this.connection = connection;
        this.hmac = hmac;
        this.role = control ? "control" : "shell";
    }

    @Override
    public void bind(KernelConnectionProperties props) {
        int port = role.equals("control") ? props.getControlPort() : props.getShellPort();
        bind(formatAddress(props.getTransport(), props.getIp(), port));
        running = true;
        Thread t = new Thread(this::serve, "loralab-" + role);
        t.setDaemon(true);
        loop = t;
        t.start();
    }

    private void serve() {
        ZMQ.Poller poller = ctx.poller(1);
        poller.register(this, ZMQ.Poller.POLLIN);
        while (running) {
            try {
                if (poller.poll(POLL_MS) > 0 && running) {
                    handle(WireMessages.frames(this));
                }
            } catch (Throwable t) {
                if (!running) {
                    break;
                }
                KernelLog.warn(role, t);
                pause();
            }
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void handle(List<byte[]> frames) {
        Message<?> message;
        try {
            message = WireMessages.parse(frames, hmac);
        } catch (WireMessages.Refused e) {
            KernelLog.warn("dropped a " + role + " message: " + e.getMessage());
            return;
        }
        ShellHandler handler = connection.getHandler(message.getHeader().getType());
        if (handler == null) {
            KernelLog.warn("no handler for " + role + " message " + message.getHeader().getType().getName());
            return;
        }
        ShellReplyEnvironment env = connection.prepareReplyEnv(this, message);
        try {
            handler.handle(env, message);
        } catch (Throwable t) {
            KernelLog.warn(role, t);
        } finally {
            try {
                env.resolveDeferrals();
            } catch (Throwable t) {
                KernelLog.warn(role, t);
            }
        }
        if (env.isMarkedForShutdown()) {
            running = false;
            connection.close();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            // nobody interrupts this thread on purpose; go on
        }
    }

    @Override
    public void close() {
        running = false;
        super.close();
    }

    @Override
    public void waitUntilClose() {
        LoopThreads.awaitEnd(loop);
    }
}
