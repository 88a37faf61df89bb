package org.loralab.kernel.channels;

import org.dflib.jjava.jupyter.channels.IOPubChannel;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;
import org.dflib.jjava.jupyter.messages.HMACGenerator;
import org.dflib.jjava.jupyter.messages.Message;
import org.zeromq.ZMQ;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * IOPub through one kernel-owned sender thread. Any thread may publish (a cell, its background threads, the shell
 * loop): it only enqueues. A ZMQ socket must never be used by a thread that can be interrupted: an interrupt during
 * a send surfaces as {@code ZMQException: Errno 4} (EINTR) and can close the context's internal pipes. Messages
 * leave in the order they were published.
 */
final class QueuedIOPub extends IOPubChannel {

    /** Beyond this many queued messages a publisher waits a little (a cell spamming updates cannot exhaust memory). */
    private static final int HIGH_WATER = 10_000;

    private final LinkedBlockingQueue<Message<?>> queue = new LinkedBlockingQueue<>();
    private final AtomicLong enqueued = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private final Object progress = new Object();
    private volatile boolean running;
    private volatile Thread sender;

    QueuedIOPub(ZMQ.Context context, HMACGenerator hmac) {
        super(context, hmac);
    }

    @Override
    public void bind(KernelConnectionProperties props) {
        super.bind(props);
        running = true;
        Thread t = new Thread(this::drain, "loralab-iopub");
        t.setDaemon(true);
        sender = t;
        t.start();
    }

    @Override
    public void sendMessage(Message<?> message) {
        for (int i = 0; i < 1000 && queue.size() > HIGH_WATER && running; i++) {
            LockSupport.parkNanos(1_000_000); // not InterruptedException-based: an interrupted cell still publishes
        }
        enqueued.incrementAndGet();
        queue.add(message);
    }

    /** Waits (at most timeoutMs) until everything published so far has been sent. */
    void flush(long timeoutMs) {
        long target = enqueued.get();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        synchronized (progress) {
            while (done.get() < target && running) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(progress, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void drain() {
        while (running) {
            Message<?> message;
            try {
                message = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (Throwable t) {
                continue;
            }
            if (message == null) {
                continue;
            }
            try {
                super.sendMessage(message);
            } catch (Throwable t) {
                if (running) {
                    KernelLog.warn("iopub", t);
                }
            } finally {
                done.incrementAndGet();
                synchronized (progress) {
                    progress.notifyAll();
                }
            }
        }
    }

    @Override
    public void close() {
        flush(500);
        running = false;
        Thread t = sender;
        if (t != null) {
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        super.close();
    }
}
