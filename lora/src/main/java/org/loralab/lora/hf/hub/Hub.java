package org.loralab.lora.hf.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Model repositories from the Hugging Face Hub into the standard Hugging Face cache, as huggingface_hub's
 * {@code snapshot_download} does: one model-info call for the commit and the file list, a HEAD per missing file
 * for its ETag, the bytes into {@code blobs/}, then {@code snapshots/<commit>/} links and {@code refs/<revision>}.
 * A snapshot folder only gets its links once every requested file is verified and in {@code blobs/}.
 */
public final class Hub {
    private static final Map<Path, ReentrantLock> BLOB_LOCKS = new ConcurrentHashMap<>();

    private Hub() {}

    /** {@code "org/name"} (branch main) or {@code "org/name@revision"}, with the environment's settings. */
    public static Path snapshot(String repoIdAtRevision) {
        String[] idAndRevision = splitRevision(repoIdAtRevision);
        return snapshot(idAndRevision[0], idAndRevision[1]);
    }

    /** {@code "org/name@rev"} to {@code {"org/name", "rev"}}; no {@code @} gives a null revision (main). */
    static String[] splitRevision(String repoIdAtRevision) {
        int at = repoIdAtRevision == null ? -1 : repoIdAtRevision.indexOf('@');
        return at < 0 ? new String[] {repoIdAtRevision, null}
                : new String[] {repoIdAtRevision.substring(0, at), repoIdAtRevision.substring(at + 1)};
    }

    /** The snapshot folder of {@code repoId} at {@code revision} (null: "main") with {@link FilePatterns#MODEL_FILES}. */
    public static Path snapshot(String repoId, String revision) {
        return snapshot(repoId, revision, HubOptions.defaults());
    }

    public static Path snapshot(String repoId, String revision, HubOptions options) {
        String rev = revision == null ? "main" : revision;
        RepoCache.checkRevision(rev);
        HubSettings settings = HubSettings.resolve(options);
        RepoCache cache = new RepoCache(settings.cacheDir(), repoId);
        if (settings.offline()) {
            Path cached = cachedSnapshot(cache, rev);
            if (cached == null) {
                throw new HubException(repoId + " (revision " + rev + ") is not in the Hugging Face cache "
                        + settings.cacheDir() + " and HF_HUB_OFFLINE=1 forbids downloading it; "
                        + "unset HF_HUB_OFFLINE once to download it, or point HF_HUB_CACHE at a cache that has it");
            }
            return cached;
        }
        HubHttp http = new HubHttp(settings);
        RepoInfo info;
        try {
            info = http.repoInfo(repoId, rev);
        } catch (HubException e) {
            Path cached = e.cacheMayServe() ? cachedSnapshot(cache, rev) : null;
            if (cached == null) {
                throw e;
            }
            return cached;
        }
        List<String> allow = options.allowPatterns() != null ? options.allowPatterns() : FilePatterns.MODEL_FILES;
        List<String> files = new FilePatterns(allow, options.ignorePatterns()).filter(info.files());
        if (files.isEmpty()) {
            throw new HubException(repoId + "@" + rev + " has no file matching " + allow + " (it has "
                    + preview(info.files()) + "); pass allowPatterns for what you need");
        }
        String commit = info.sha();
        Map<Path, Path> links = new LinkedHashMap<>();
        BlobFetcher fetcher = new BlobFetcher(http, repoId, options.progress());
        for (String file : files) {
            Path pointer = cache.pointer(commit, file);
            if (Files.exists(pointer)) {
                long size = sizeOf(pointer);
                options.progress().onProgress(file, size, size);
                continue;
            }
            RemoteFile remote = http.head(repoId, commit, file);
            Path blob = cache.blob(remote.etag());
            ensureBlob(fetcher, remote, blob, options.progress());
            links.put(pointer, blob);
        }
        links.forEach(cache::link);
        if (!rev.equals(commit)) {
            cache.writeRef(rev, commit);
        }
        return cache.snapshot(commit);
    }

    /** The cached snapshot for a commit, or for the commit {@code refs/<revision>} names; null when absent. */
    static Path cachedSnapshot(RepoCache cache, String revision) {
        String commit = RepoCache.isCommit(revision) ? revision : cache.readRef(revision);
        if (commit == null) {
            return null;
        }
        Path dir = cache.snapshot(commit);
        try (Stream<Path> entries = Files.isDirectory(dir) ? Files.list(dir) : Stream.empty()) {
            return entries.findAny().isPresent() ? dir : null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void ensureBlob(BlobFetcher fetcher, RemoteFile remote, Path blob, ProgressListener progress) {
        ReentrantLock lock = BLOB_LOCKS.computeIfAbsent(blob, b -> new ReentrantLock());
        lock.lock();
        try {
            if (Files.isRegularFile(blob)) {
                progress.onProgress(remote.file(), remote.size(), remote.size());
            } else {
                fetcher.fetch(remote, blob);
            }
        } finally {
            lock.unlock();
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static String preview(List<String> files) {
        List<String> head = new ArrayList<>(files.subList(0, Math.min(10, files.size())));
        if (files.size() > 10) {
            head.add("... " + (files.size() - 10) + " more");
        }
        return head.isEmpty() ? "no files" : String.join(", ", head);
    }
}
