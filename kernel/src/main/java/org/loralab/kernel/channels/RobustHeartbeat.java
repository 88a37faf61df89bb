package org.loralab.kernel.channels;

import org.dflib.jjava.jupyter.channels.HeartbeatChannel;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;
import org.dflib.jjava.jupyter.messages.HMACGenerator;
import org.zeromq.ZMQ;

/**
 * The heartbeat echo with a loop that survives anything (jjava's dies on the first Error, e.g. an OutOfMemoryError
 * caused by a cell, and the frontend then declares the kernel dead). The echo buffer is allocated once.
 */
final class RobustHeartbeat extends HeartbeatChannel {

    private static final int MAX_PING = 1024;

    private final byte[] buffer = new byte[MAX_PING];
    private volatile boolean running;
    private volatile Thread loop;

    RobustHeartbeat(ZMQ.Context context, HMACGenerator hmac) {
        super(context, hmac);
    }

    @Override
    public void bind(KernelConnectionProperties props) {
        bind(formatAddress(props.getTransport(), props.getIp(), props.getHbPort()));
        running = true;
        Thread t = new Thread(this::beat, "loralab-heartbeat");
        t.setDaemon(true);
        t.setPriority(Thread.MAX_PRIORITY);
        loop = t;
        t.start();
    }

    private void beat() {
        ZMQ.Poller poller = ctx.poller(1);
        poller.register(this, ZMQ.Poller.POLLIN);
        while (running) {
            try {
                if (poller.poll(500) > 0 && running) {
                    int n = recv(buffer, 0, buffer.length, 0);
                    while (hasReceiveMore()) {
                        recv(0); // a ping longer than the buffer: echo what fits, drop the rest
                    }
                    if (n >= 0) {
                        send(buffer, 0, Math.min(n, buffer.length), 0);
                    }
                }
            } catch (Throwable t) {
                if (!running) {
                    break;
                }
                KernelLog.warn("heartbeat", t);
            }
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
