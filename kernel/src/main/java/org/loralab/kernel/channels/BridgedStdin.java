package org.loralab.kernel.channels;

import org.dflib.jjava.jupyter.channels.StdinChannel;
import org.dflib.jjava.jupyter.messages.HMACGenerator;
import org.dflib.jjava.jupyter.messages.Message;
import org.dflib.jjava.jupyter.messages.MessageContext;
import org.dflib.jjava.jupyter.messages.reply.InputReply;
import org.dflib.jjava.jupyter.messages.request.InputRequest;
import org.zeromq.ZMQ;

import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * stdin through a kernel-owned thread: the cell's thread waits for the answer (an interrupt ends that wait) and never
 * touches the socket itself. A question whose cell was interrupted is abandoned: a late answer is read and dropped.
 */
final class BridgedStdin extends StdinChannel {

    private static final long POLL_MS = 100;

    private final HMACGenerator hmac;
    private final ExecutorService io = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "loralab-stdin");
        t.setDaemon(true);
        return t;
    });

    BridgedStdin(ZMQ.Context context, HMACGenerator hmac) {
        super(context, hmac);
        this.hmac = hmac;
    }

    @Override
    public String getInput(MessageContext context, String prompt, boolean isPassword) {
        AtomicBoolean abandoned = new AtomicBoolean();
        Future<String> answer = io.submit(() -> ask(context, prompt, isPassword, abandoned));
        try {
            return answer.get();
        } catch (InterruptedException e) {
            abandoned.set(true);
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new InterruptedIOException("input cancelled: the cell was interrupted"));
        } catch (ExecutionException e) {
            throw new UncheckedIOException(new java.io.IOException("no input: " + e.getCause(), e.getCause()));
        }
    }

    private String ask(MessageContext context, String prompt, boolean isPassword, AtomicBoolean abandoned)
            throws InterruptedIOException {
        sendMessage(new Message<>(context, InputRequest.MESSAGE_TYPE, new InputRequest(prompt, isPassword)));
        ZMQ.Poller poller = ctx.poller(1);
        poller.register(this, ZMQ.Poller.POLLIN);
        try {
            while (!abandoned.get()) {
                if (poller.poll(POLL_MS) <= 0) {
                    continue;
                }
                Message<?> reply;
                try {
                    reply = WireMessages.parse(WireMessages.frames(this), hmac);
                } catch (WireMessages.Refused e) {
                    KernelLog.warn("dropped a stdin message: " + e.getMessage());
                    continue;
                }
                if (reply.getContent() instanceof InputReply) {
                    return ((InputReply) reply.getContent()).getValue() + System.lineSeparator();
                }
            }
            throw new InterruptedIOException("input cancelled");
        } finally {
            poller.close();
        }
    }

    @Override
    public void close() {
        io.shutdown(); // no interrupt: that thread uses a ZMQ socket
        super.close();
    }
}
