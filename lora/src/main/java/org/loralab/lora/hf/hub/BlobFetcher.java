package org.loralab.lora.hf.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Brings one file's bytes to {@code blobs/<etag>}: into {@code <etag>.incomplete} first, resuming with an HTTP
 * Range after what is already there (a few tries in one call, and the next call carries on), then size and, for
 * LFS files, sha256 checked, then an atomic rename. A file that fails the check is deleted, never kept.
 */
final class BlobFetcher {
    static final int MAX_ATTEMPTS = 3;
    private static final long POLL_MS = 100;

    private final HubHttp http;
    private final String repoId;
    private final ProgressListener progress;

    BlobFetcher(HubHttp http, String repoId, ProgressListener progress) {
        this.http = http;
        this.repoId = repoId;
        this.progress = progress;
    }

    void fetch(RemoteFile f, Path blob) {
        Path part = blob.resolveSibling(blob.getFileName() + ".incomplete");
        try {
            Files.createDirectories(blob.getParent());
            IOException last = null;
            for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
                long have = Files.exists(part) ? Files.size(part) : 0;
                if (have > f.size()) {
                    Files.delete(part);
                    have = 0;
                }
                if (have == f.size() && Files.exists(part)) {
                    last = null;
                    break;
                }
                try {
                    transfer(f, part, have);
                    last = null;
                    break;
                } catch (IOException e) {
                    last = e;
                }
            }
            if (last != null) {
                long kept = Files.exists(part) ? Files.size(part) : 0;
                throw new HubException(f.file() + ": transfer failed " + MAX_ATTEMPTS + " times (" + last.getMessage()
                        + "); " + kept + " of " + f.size() + " bytes kept in " + part + ", run again to resume", true, last);
            }
            verify(f, part);
            RepoCache.moveAtomically(part, blob);
        } catch (IOException e) {
            throw new UncheckedIOException(f.file() + ": cannot write " + part + ": " + e.getMessage(), e);
        }
        progress.onProgress(f.file(), f.size(), f.size());
    }

    /** One GET (following redirects); IOException means "worth another try from where the part file ends". */
    private void transfer(RemoteFile f, Path part, long have) throws IOException {
        URI url = f.downloadUrl();
        for (int hop = 0; hop <= HubHttp.MAX_REDIRECTS; hop++) {
            HttpRequest.Builder b = http.request(url, http.downloadTimeout()).GET().header("Accept-Encoding", "identity");
            if (have > 0) {
                b.header("Range", "bytes=" + have + "-");
            }
            PartFileSink sink = new PartFileSink(part, have, f.file(), f.size(), progress);
            HttpResponse<Void> r = await(http.client().sendAsync(b.build(), sink::handler), sink, url, f.file());
            URI next = HubHttp.redirectTarget(r, url);
            if (next != null) {
                url = next;
                continue;
            }
            if (r.statusCode() == 416 || sink.rangeIgnored()) {
                Files.deleteIfExists(part);
                throw new IOException("the server could not resume at byte " + have + ", starting over");
            }
            if (r.statusCode() != 200 && r.statusCode() != 206) {
                throw HubErrors.status(r.statusCode(), r.headers(), repoId + "/" + f.file(), repoId, http.sendsToken(url));
            }
            if (sink.failure() != null) {
                throw sink.failure();
            }
            long size = Files.size(part);
            if (size < f.size()) {
                throw new IOException("the body ended after " + size + " of " + f.size() + " bytes");
            }
            return;
        }
        throw new HubException(f.file() + ": more than " + HubHttp.MAX_REDIRECTS + " redirects");
    }

    /** Waits for the body, giving up when no bytes came for the download timeout (the JDK client has no read timeout). */
    private HttpResponse<Void> await(CompletableFuture<HttpResponse<Void>> future, PartFileSink sink, URI url, String what)
            throws IOException {
        long stallNanos = http.downloadTimeout().toNanos();
        while (true) {
            try {
                return future.get(POLL_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException t) {
                IOException failure = sink.failure();
                boolean stalled = System.nanoTime() - sink.lastActivityNanos() > stallNanos;
                if (failure != null || stalled) {
                    future.cancel(true);
                    sink.cancel();
                    throw failure != null ? failure
                            : new IOException("no data from " + url.getHost() + " for " + http.downloadTimeout().toSeconds() + " s");
                }
            } catch (ExecutionException e) {
                sink.cancel();
                Throwable cause = e.getCause();
                if (cause instanceof IOException io) {
                    if (io instanceof java.net.ConnectException || io instanceof java.net.http.HttpTimeoutException) {
                        throw HubErrors.network(io, url, what);
                    }
                    throw io;
                }
                throw new IOException(String.valueOf(cause), cause);
            } catch (InterruptedException e) {
                future.cancel(true);
                sink.cancel();
                throw HubErrors.interrupted(what);
            }
        }
    }

    private static void verify(RemoteFile f, Path part) throws IOException {
        long size = Files.size(part);
        if (size != f.size()) {
            Files.delete(part);
            throw new HubException(f.file() + ": got " + size + " bytes but the Hub announced " + f.size()
                    + "; the download was deleted, run again");
        }
        if (f.etagIsSha256()) {
            String actual = sha256(part);
            if (!actual.equals(f.etag())) {
                Files.delete(part);
                throw new HubException(f.file() + ": sha256 mismatch (expected " + f.etag() + ", got " + actual
                        + "); the corrupt download was deleted, run again or report it to the repository owner");
            }
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
