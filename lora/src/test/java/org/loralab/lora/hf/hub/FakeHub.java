package org.loralab.lora.hf.hub;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The Hub's URL layout on 127.0.0.1 (ephemeral port): {@code /api/models/<repo>/revision/<rev>},
 * {@code /<repo>/resolve/<rev>/<file>} (plain files served directly; LFS files answered with a 302 to the
 * absolute {@code /cdn/<sha256>} URL on the same server, which honours Range), {@code /<old>/...} of a renamed
 * repository answered with a relative 307. Every request is logged; faults are switched on per test.
 */
final class FakeHub implements AutoCloseable {
    record Request(String method, String path, String authorization, String range) {}

    final Map<String, FakeRepo> repos = new ConcurrentHashMap<>();
    final Map<String, String> renamed = new ConcurrentHashMap<>();
    final List<Request> requests = new CopyOnWriteArrayList<>();
    /** When set, /api and /resolve answer 401 unless "Authorization: Bearer <token>" comes with the request. */
    volatile String requiredToken;
    /** The next {@code cuts} CDN bodies stop after {@code cutAfter} bytes and the connection is closed. */
    final AtomicInteger cuts = new AtomicInteger();
    volatile int cutAfter;
    /** With a cut, how long the server holds the connection silent before closing it. */
    volatile int stallMillis;
    /** The CDN serves one flipped byte in every LFS file (same length, wrong sha256). */
    volatile boolean corrupt;

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);

    FakeHub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    FakeRepo repo(String id) {
        return repos.computeIfAbsent(id, FakeRepo::new);
    }

    List<Request> requests(String pathPrefix) {
        return requests.stream().filter(r -> r.path().startsWith(pathPrefix)).collect(Collectors.toList());
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        String raw = ex.getRequestURI().getRawPath();
        Headers in = ex.getRequestHeaders();
        requests.add(new Request(ex.getRequestMethod(), raw, in.getFirst("Authorization"), in.getFirst("Range")));
        try (ex) {
            if (raw.startsWith("/cdn/")) {
                cdn(ex, raw.substring("/cdn/".length()));
                return;
            }
            if (requiredToken != null && !("Bearer " + requiredToken).equals(in.getFirst("Authorization"))) {
                error(ex, 401, "Invalid username or password.");
                return;
            }
            if (raw.startsWith("/api/models/")) {
                api(ex, raw.substring("/api/models/".length()));
            } else if (raw.contains("/resolve/")) {
                resolve(ex, raw);
            } else {
                error(ex, 404, null);
            }
        }
    }

    private void api(HttpExchange ex, String rest) throws IOException {
        int at = rest.indexOf("/revision/");
        String repoId = rest.substring(0, at);
        String revision = decode(rest.substring(at + "/revision/".length()));
        if (renamed.containsKey(repoId)) {
            redirect(ex, 307, "/api/models/" + renamed.get(repoId) + "/revision/" + rest.substring(at + 10), Map.of());
            return;
        }
        FakeRepo repo = repos.get(repoId);
        if (repo == null) {
            error(ex, 404, "RepoNotFound");
            return;
        }
        String commit = commitOf(repo, revision);
        if (commit == null) {
            error(ex, 404, "RevisionNotFound");
            return;
        }
        String siblings = repo.commits.get(commit).keySet().stream()
                .map(f -> "{\"rfilename\":\"" + f + "\"}").collect(Collectors.joining(","));
        send(ex, 200, ("{\"id\":\"" + repoId + "\",\"sha\":\"" + commit + "\",\"private\":false,\"siblings\":["
                + siblings + "]}").getBytes(StandardCharsets.UTF_8), Map.of("Content-Type", "application/json"));
    }

    private void resolve(HttpExchange ex, String raw) throws IOException {
        int at = raw.indexOf("/resolve/");
        String repoId = raw.substring(1, at);
        String rest = raw.substring(at + "/resolve/".length());
        if (renamed.containsKey(repoId)) {
            redirect(ex, 307, "/" + renamed.get(repoId) + "/resolve/" + rest, Map.of());
            return;
        }
        FakeRepo repo = repos.get(repoId);
        int slash = rest.indexOf('/');
        String commit = repo == null ? null : commitOf(repo, decode(rest.substring(0, slash)));
        if (commit == null) {
            error(ex, 404, repo == null ? "RepoNotFound" : "RevisionNotFound");
            return;
        }
        String file = decode(rest.substring(slash + 1));
        byte[] content = repo.commits.get(commit).get(file);
        if (content == null) {
            error(ex, 404, "EntryNotFound");
            return;
        }
        String etag = FakeRepo.etag(file, content);
        if (FakeRepo.isLfs(file)) {
            redirect(ex, 302, endpoint() + "/cdn/" + etag, Map.of("X-Repo-Commit", commit,
                    "X-Linked-Etag", "\"" + etag + "\"", "X-Linked-Size", Long.toString(content.length),
                    "ETag", "W/\"pointer-" + etag.substring(0, 8) + "\""));
        } else {
            send(ex, 200, content, Map.of("X-Repo-Commit", commit, "ETag", "\"" + etag + "\""));
        }
    }

    private void cdn(HttpExchange ex, String sha256) throws IOException {
        byte[] content = null;
        for (FakeRepo repo : repos.values()) {
            for (Map<String, byte[]> files : repo.commits.values()) {
                for (Map.Entry<String, byte[]> e : files.entrySet()) {
                    if (FakeRepo.isLfs(e.getKey()) && FakeRepo.sha256(e.getValue()).equals(sha256)) {
                        content = e.getValue();
                    }
                }
            }
        }
        if (content == null) {
            error(ex, 404, null);
            return;
        }
        if (corrupt) {
            content = content.clone();
            content[content.length / 2] ^= 1;
        }
        String range = ex.getRequestHeaders().getFirst("Range");
        int from = range == null ? 0 : Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
        Map<String, String> headers = new HashMap<>();
        if (from > 0) {
            headers.put("Content-Range", "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
        }
        byte[] body = java.util.Arrays.copyOfRange(content, from, content.length);
        if (cuts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
            ex.sendResponseHeaders(from > 0 ? 206 : 200, body.length);
            OutputStream out = ex.getResponseBody();
            out.write(body, 0, Math.min(cutAfter, body.length));
            out.flush();
            sleep(stallMillis);
            throw new IOException("fault injected: connection closed mid-body");
        }
        send(ex, from > 0 ? 206 : 200, body, headers);
    }

    private static void sleep(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String commitOf(FakeRepo repo, String revision) {
        if (repo.commits.containsKey(revision)) {
            return revision;
        }
        return repo.branches.get(revision);
    }

    private static void redirect(HttpExchange ex, int code, String location, Map<String, String> headers) throws IOException {
        headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        ex.getResponseHeaders().set("Location", location);
        ex.sendResponseHeaders(code, -1);
    }

    private static void error(HttpExchange ex, int code, String errorCode) throws IOException {
        if (errorCode != null && code == 404) {
            ex.getResponseHeaders().set("X-Error-Code", errorCode);
        }
        byte[] body = ("{\"error\":\"" + (errorCode == null ? "error" : errorCode) + "\"}").getBytes(StandardCharsets.UTF_8);
        send(ex, code, body, Map.of());
    }

    private static void send(HttpExchange ex, int code, byte[] body, Map<String, String> headers) throws IOException {
        headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            ex.sendResponseHeaders(code, -1);
            return;
        }
        ex.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
        ex.getResponseBody().write(body);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
