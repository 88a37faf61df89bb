package org.loralab.lora.hf.hub;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a GET's body into {@code blobs/<etag>.incomplete} as it arrives: appended after the bytes already there
 * for a 206 whose Content-Range starts where they end, from scratch for a 200. Records when data last came so the
 * caller can give up on a stalled transfer, and keeps what arrived before a failure so the next try resumes.
 */
final class PartFileSink implements Flow.Subscriber<List<ByteBuffer>> {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-\\d+/(\\d+|\\*)");

    private final Path part;
    private final long resumeFrom;
    private final String file;
    private final long total;
    private final ProgressListener progress;
    private volatile long lastActivityNanos = System.nanoTime();
    private volatile IOException failure;
    private volatile boolean rangeIgnored;
    private volatile Flow.Subscription subscription;
    private volatile FileChannel channel;
    private long done;

    PartFileSink(Path part, long resumeFrom, String file, long total, ProgressListener progress) {
        this.part = part;
        this.resumeFrom = resumeFrom;
        this.file = file;
        this.total = total;
        this.progress = progress;
    }

    /** The body handler: bodies of redirects and errors are dropped, a 200 or 206 goes to the part file. */
    HttpResponse.BodySubscriber<Void> handler(HttpResponse.ResponseInfo info) {
        lastActivityNanos = System.nanoTime();
        int code = info.statusCode();
        if (code != 200 && code != 206) {
            return HttpResponse.BodySubscribers.replacing(null);
        }
        long start = 0;
        if (code == 206) {
            Matcher m = CONTENT_RANGE.matcher(info.headers().firstValue("Content-Range").orElse(""));
            if (!m.matches() || Long.parseLong(m.group(1)) != resumeFrom) {
                rangeIgnored = true;
                return HttpResponse.BodySubscribers.replacing(null);
            }
            start = resumeFrom;
        }
        try {
            channel = start > 0
                    ? FileChannel.open(part, StandardOpenOption.WRITE, StandardOpenOption.APPEND)
                    : FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                            StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            failure = e;
            return HttpResponse.BodySubscribers.replacing(null);
        }
        done = start;
        progress.onProgress(file, done, total);
        return HttpResponse.BodySubscribers.fromSubscriber(this);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        try {
            for (ByteBuffer b : buffers) {
                while (b.hasRemaining()) {
                    done += channel.write(b);
                }
            }
        } catch (IOException e) {
            failure = e;
            cancel();
            return;
        }
        lastActivityNanos = System.nanoTime();
        progress.onProgress(file, done, total);
        subscription.request(1);
    }

    @Override
    public void onError(Throwable t) {
        closeChannel();
    }

    @Override
    public void onComplete() {
        closeChannel();
    }

    void cancel() {
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
        closeChannel();
    }

    long lastActivityNanos() { return lastActivityNanos; }
    IOException failure() { return failure; }
    boolean rangeIgnored() { return rangeIgnored; }

    private synchronized void closeChannel() {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            failure = e;
        }
    }
}
