package org.loralab.kernel;

import org.dflib.jjava.jupyter.channels.ShellReplyEnvironment;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.messages.ContentType;
import org.dflib.jjava.jupyter.messages.Message;
import org.dflib.jjava.jupyter.messages.publish.PublishDisplayData;
import org.dflib.jjava.jupyter.messages.publish.PublishStream;
import org.loralab.kernel.exec.CellThreads;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * System.out / System.err and display() while the kernel runs: output goes to the cell whose thread (or whose
 * thread's creator) wrote it, never into a later cell's output. Kernel threads write to the running cell, or to the
 * kernel's log between cells. The streams ignore close(), so {@code System.out.close()} in a cell loses nothing.
 */
final class CellOutput {

    /** Cells whose late output is still routed to them (older cells' threads write to the log). */
    private static final int REMEMBERED_CELLS = 64;

    private final Map<Object, Sink> sinks = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Object, Sink> eldest) {
            return size() > REMEMBERED_CELLS;
        }
    };
    private final PrintStream logOut;
    private final PrintStream logErr;
    private static final long FLUSH_INTERVAL_MS = 200;

    private volatile Sink current;
    final PrintStream out;
    final PrintStream err;

    CellOutput(PrintStream logOut, PrintStream logErr) {
        this.logOut = logOut;
        this.logErr = logErr;
        this.out = new KeepOpen(new Routed(PublishStream.StreamType.OUT));
        this.err = new KeepOpen(new Routed(PublishStream.StreamType.ERR));
        Thread flusher = new Thread(this::flushPeriodically, "loralab-stream-flush");
        flusher.setDaemon(true);
        flusher.start();
    }

    /** Text printed without a newline reaches the notebook within 200 ms, as with ipykernel's flush interval. */
    private void flushPeriodically() {
        while (true) {
            try {
                Thread.sleep(FLUSH_INTERVAL_MS);
                Sink sink = current;
                if (sink != null) {
                    sink.flushAll();
                }
            } catch (InterruptedException e) {
                return;
            } catch (Throwable t) {
                // keep flushing: an OutOfMemoryError of a cell must not end the kernel's output
            }
        }
    }

    void begin(Object cell, ShellReplyEnvironment env) {
        Sink sink = new Sink(env);
        synchronized (sinks) {
            sinks.put(cell, sink);
        }
        current = sink;
    }

    /** Sends what the cell left unflushed; later output of its threads still goes to it. */
    void end() {
        out.flush();
        err.flush();
        Sink sink = current;
        current = null;
        if (sink != null) {
            sink.flushAll();
        }
    }

    /** Publishes display data to the current thread's cell; false when there is none (between cells). */
    boolean display(DisplayData data) {
        Sink sink = sinkOfThisThread();
        if (sink == null) {
            return false;
        }
        sink.publish(new PublishDisplayData(data));
        return true;
    }

    private Sink sinkOfThisThread() {
        Object cell = CellThreads.currentCell();
        if (cell == null) {
            return current;
        }
        synchronized (sinks) {
            return sinks.get(cell);
        }
    }

    /** One cell's destination: its request's context, and bytes not yet sent per stream. */
    private static final class Sink {
        final ShellReplyEnvironment env;
        final Pending out = new Pending(PublishStream.StreamType.OUT);
        final Pending err = new Pending(PublishStream.StreamType.ERR);

        Sink(ShellReplyEnvironment env) {
            this.env = env;
        }

        Pending of(PublishStream.StreamType type) {
            return type == PublishStream.StreamType.OUT ? out : err;
        }

        void flushAll() {
            out.flush(this);
            err.flush(this);
        }

        /** Straight to IOPub with this cell as parent (the env's own publish is not thread-safe while it defers). */
        <T extends ContentType<T>> void publish(T content) {
            env.getIopub().sendMessage(new Message<>(env.getContext(), content.getType(), content));
        }
    }

    /** Bytes of one stream, decoded as UTF-8 when flushed (an incomplete character waits for its rest). */
    private static final class Pending {
        final PublishStream.StreamType type;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);

        Pending(PublishStream.StreamType type) {
            this.type = type;
        }

        synchronized void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
        }

        /** Publishes under the lock: the periodic flusher and the cell's own newline must not reorder text. */
        void flush(Sink sink) {
            synchronized (this) {
                if (bytes.size() == 0) {
                    return;
                }
                ByteBuffer in = ByteBuffer.wrap(bytes.toByteArray());
                CharBuffer chars = CharBuffer.allocate(in.remaining() + 1);
                decoder.reset();
                decoder.decode(in, chars, false);
                chars.flip();
                String text = chars.toString();
                byte[] rest = new byte[in.remaining()];
                in.get(rest);
                bytes.reset();
                bytes.write(rest, 0, rest.length);
                if (!text.isEmpty()) {
                    sink.publish(new PublishStream(type, text));
                }
            }
        }
    }

    private final class Routed extends OutputStream {
        private final PublishStream.StreamType type;

        Routed(PublishStream.StreamType type) {
            this.type = type;
        }

        private PrintStream log() {
            return type == PublishStream.StreamType.OUT ? logOut : logErr;
        }

        @Override
        public void write(int b) {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            Sink sink = sinkOfThisThread();
            if (sink == null) {
                log().write(b, off, len);
            } else {
                sink.of(type).write(b, off, len);
            }
        }

        @Override
        public void flush() {
            Sink sink = sinkOfThisThread();
            if (sink == null) {
                log().flush();
            } else {
                sink.of(type).flush(sink);
            }
        }
    }

    /** A PrintStream that a cell cannot close (close() only flushes). */
    private static final class KeepOpen extends PrintStream {
        KeepOpen(OutputStream target) {
            super(target, true, StandardCharsets.UTF_8);
        }

        /** No flush per write (PrintStream's autoflush would send every print separately): a newline flushes. */
        @Override
        public void write(byte[] buf, int off, int len) {
            synchronized (this) {
                try {
                    out.write(buf, off, len);
                } catch (IOException e) {
                    setError();
                }
            }
        }

        @Override
        public void close() {
            flush();
        }
    }
}
