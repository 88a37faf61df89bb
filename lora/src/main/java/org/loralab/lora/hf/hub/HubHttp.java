package org.loralab.lora.hf.hub;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The Hub's HTTP API as snapshot_download uses it: the model-info call, a HEAD per file, and the URLs to GET.
 * Redirects are followed by hand (a bounded number) so the token goes only to the endpoint's own host.
 */
final class HubHttp {
    static final int MAX_REDIRECTS = 10;
    private static final String USER_AGENT = "loralab/0.1; java/" + Runtime.version().feature();

    private final HttpClient client;
    private final URI endpoint;
    private final String token;
    private final Duration metadataTimeout;
    private final Duration downloadTimeout;

    HubHttp(HubSettings s) {
        this.endpoint = endpointUri(s.endpoint());
        this.token = s.token();
        this.metadataTimeout = s.metadataTimeout();
        this.downloadTimeout = s.downloadTimeout();
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(metadataTimeout).build();
    }

    private static URI endpointUri(String endpoint) {
        try {
            URI uri = URI.create(endpoint + "/");
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (IllegalArgumentException ignored) {
            // reported below in the same words as a URL without a host
        }
        throw new HubException("HF_ENDPOINT '" + endpoint + "' is not an http(s) URL; unset it to use https://huggingface.co");
    }

    HttpClient client() { return client; }
    Duration downloadTimeout() { return downloadTimeout; }
    URI endpoint() { return endpoint; }

    URI apiUrl(String repoId, String revision) {
        return endpoint.resolve("api/models/" + repoId + "/revision/" + UrlPaths.encode(revision, false));
    }

    URI resolveUrl(String repoId, String revision, String file) {
        return endpoint.resolve(repoId + "/resolve/" + UrlPaths.encode(revision, false) + "/" + UrlPaths.encode(file, true));
    }

    RepoInfo repoInfo(String repoId, String revision) {
        String what = "model " + repoId + " at revision " + revision;
        URI url = apiUrl(repoId, revision);
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpResponse<String> r = send(request(url, metadataTimeout).GET().build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8), url, what);
            URI next = redirectTarget(r, url);
            if (next != null) {
                url = next;
                continue;
            }
            if (r.statusCode() != 200) {
                throw HubErrors.status(r.statusCode(), r.headers(), what, repoId, sendsToken(url));
            }
            return RepoInfo.parse(r.body(), what);
        }
        throw new HubException(what + ": more than " + MAX_REDIRECTS + " redirects from " + endpoint.getHost());
    }

    /** Follows only relative redirects (a renamed repository); an absolute one points at the file's bytes. */
    RemoteFile head(String repoId, String commit, String file) {
        String what = repoId + "/" + file;
        URI url = resolveUrl(repoId, commit, file);
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpResponse<Void> r = send(request(url, metadataTimeout).method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .header("Accept-Encoding", "identity").build(), HttpResponse.BodyHandlers.discarding(), url, what);
            URI next = redirectTarget(r, url);
            boolean absolute = next != null && URI.create(r.headers().firstValue("Location").orElseThrow()).isAbsolute();
            if (next != null && !absolute) {
                url = next;
                continue;
            }
            if (next == null && r.statusCode() != 200) {
                throw HubErrors.status(r.statusCode(), r.headers(), what, repoId, sendsToken(url));
            }
            return metadata(r, next != null ? next : url, next != null, file, what);
        }
        throw new HubException(what + ": more than " + MAX_REDIRECTS + " redirects from " + endpoint.getHost());
    }

    private static RemoteFile metadata(HttpResponse<?> r, URI downloadUrl, boolean redirected, String file, String what) {
        var h = r.headers();
        String commit = h.firstValue("X-Repo-Commit").orElse(null);
        if (commit == null || !RepoCache.isCommit(commit)) {
            throw new HubException(what + ": no X-Repo-Commit header; HF_ENDPOINT does not look like a Hugging Face Hub");
        }
        String etag = normalizeEtag(h.firstValue("X-Linked-Etag").or(() -> h.firstValue("ETag")).orElse(null));
        RepoCache.checkEtag(etag, what);
        OptionalLong size = h.firstValueAsLong("X-Linked-Size");
        if (size.isEmpty() && !redirected) {
            size = h.firstValueAsLong("Content-Length");
        }
        if (size.isEmpty() || size.getAsLong() < 0) {
            throw new HubException(what + ": the Hub sent no file size (X-Linked-Size / Content-Length)");
        }
        return new RemoteFile(file, downloadUrl, etag, commit, size.getAsLong());
    }

    /** {@code W/"abc"} and {@code "abc"} both name the blob {@code abc}. */
    static String normalizeEtag(String etag) {
        if (etag == null) {
            return null;
        }
        String e = etag.strip();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        return e.replace("\"", "");
    }

    HttpRequest.Builder request(URI url, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(timeout).header("User-Agent", USER_AGENT);
        if (sendsToken(url)) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    /** The token goes to the endpoint's own scheme, host and port only, never to a CDN a redirect points at. */
    boolean sendsToken(URI url) {
        return token != null && Objects.equals(url.getScheme(), endpoint.getScheme())
                && Objects.equals(url.getHost(), endpoint.getHost()) && url.getPort() == endpoint.getPort();
    }

    /** Where a 3xx with a Location sends us, resolved against the request URL; null when it is no redirect. */
    static URI redirectTarget(HttpResponse<?> r, URI current) {
        int code = r.statusCode();
        if (code < 300 || code >= 400 || code == 304) {
            return null;
        }
        String location = r.headers().firstValue("Location").orElse(null);
        if (location == null) {
            return null;
        }
        try {
            return current.resolve(location);
        } catch (IllegalArgumentException e) {
            throw new HubException("the Hub redirected " + current + " to an invalid Location '" + location + "'");
        }
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler, URI url, String what) {
        try {
            return client.send(request, handler);
        } catch (IOException e) {
            throw HubErrors.network(e, url, what);
        } catch (InterruptedException e) {
            throw HubErrors.interrupted(what);
        }
    }
}
