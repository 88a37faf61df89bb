package org.loralab.kernel.channels;

import org.dflib.jjava.jupyter.channels.IOPubChannel;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;
import org.dflib.jjava.jupyter.messages.HMACGenerator;
import org.dflib.jjava.jupyter.messages.Message;
import org.dflib.jjava.jupyter.messages.publish.PublishUpdateDisplayData;
import org.zeromq.ZMQ;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * IOPub through one kernel-owned sender thread. Any thread may publish (a cell, its background threads, the shell
 * loop): it only enqueues. A ZMQ socket must never be used by a thread that can be interrupted: an interrupt during
 * a send surfaces as {@code ZMQException: Errno 4} (EINTR) and can close the context's internal pipes. Messages
 * leave in the order they were published, except that updates of one display id still waiting in the queue are
 * collapsed into the newest (it goes out in the first one's place): a cell that updates a display in a tight loop
 * would otherwise flood the frontend, whose PUB pipe then drops messages, the cell's idle status among them.
 */
final class QueuedIOPub extends IOPubChannel {

    /** Beyond this many queued messages a publisher waits a little (a cell spamming updates cannot exhaust memory). */
    private static final int HIGH_WATER = 10_000;

    /** A {@link Message}, or a {@link PendingUpdate} standing for the newest queued update of one display. */
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final ConcurrentHashMap<String, Message<?>> pendingUpdates = new ConcurrentHashMap<>();
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
        String displayId = updatedDisplay(message);
        if (displayId != null && pendingUpdates.put(displayId, message) != null) {
            return; // the queued slot of this display will send this newer content
        }
        enqueued.incrementAndGet();
        queue.add(displayId != null ? new PendingUpdate(displayId) : message);
    }

    private static String updatedDisplay(Message<?> message) {
        return message.getContent() instanceof PublishUpdateDisplayData u && u.hasDisplayId() ? u.getDisplayId() : null;
    }

    /** The queue's place of the newest update of one display id. */
    private record PendingUpdate(String displayId) {}

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
            Object entry;
            try {
                entry = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (Throwable t) {
                continue;
            }
            if (entry == null) {
                continue;
            }
            Message<?> message = entry instanceof PendingUpdate p ? pendingUpdates.remove(p.displayId()) : (Message<?>) entry;
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
