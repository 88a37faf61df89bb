package org.loralab.lora.data;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * The opt-in download of the official files (off by default; never used by tests). Each file goes to a
 * temporary name, its decompressed payload is checked against {@link FashionMnistFile#payloadSha256()}, and only
 * then is it renamed into place, so a failed or tampered download never leaves a file the loader would use.
 */
public final class FashionMnistDownload {
    /** The official location (zalandoresearch/fashion-mnist README). */
    public static final URI OFFICIAL_BASE = URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/");

    private FashionMnistDownload() {}

    /** Default cache folder: {@code ~/.cache/loralab/fashion-mnist}. */
    public static Path defaultCacheDir() {
        return Path.of(System.getProperty("user.home"), ".cache", "loralab", "fashion-mnist");
    }

    /** Downloads every missing file from {@code base} into {@code dir}. */
    public static void downloadAll(URI base, Path dir) {
        for (FashionMnistFile f : FashionMnistFile.values()) {
            if (!Files.exists(dir.resolve(f.gzName())) && !Files.exists(dir.resolve(f.baseName()))) {
                download(base.resolve(f.gzName()), f, dir);
            }
        }
    }

    private static void download(URI uri, FashionMnistFile file, Path dir) {
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, file.baseName(), ".part");
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30))
                    .followRedirects(HttpClient.Redirect.NORMAL).build();
            HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(uri).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                throw new DatasetFileException(dir.resolve(file.gzName()),
                        "download from " + uri + " failed with HTTP " + response.statusCode());
            }
            try (InputStream in = response.body()) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            installVerified(tmp, file, dir);
        } catch (IOException e) {
            throw new DatasetFileException(dir.resolve(file.gzName()), "download from " + uri + " failed ("
                    + e.getMessage() + "); check the network or set LORALAB_FASHION_MNIST to a local copy", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatasetFileException(dir.resolve(file.gzName()), "download interrupted", e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /**
     * Checks a downloaded file (raw or gzip) against the official payload SHA-256 and, if it matches, moves it
     * atomically to {@code dir/<name>.gz} (or {@code dir/<name>} when raw). On mismatch the file is deleted and a
     * {@link DatasetFileException} says what was expected. Returns the installed path.
     */
    public static Path installVerified(Path downloaded, FashionMnistFile file, Path dir) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(downloaded);
        } catch (IOException e) {
            throw new DatasetFileException(downloaded, "cannot read the downloaded file (" + e.getMessage() + ")", e);
        }
        boolean gz = raw.length >= 2 && (raw[0] & 0xff) == 0x1f && (raw[1] & 0xff) == 0x8b;
        try {
            byte[] payload = Idx.readPayload(downloaded);
            String sha = Idx.sha256(payload);
            if (!sha.equals(file.payloadSha256())) {
                throw new DatasetFileException(downloaded, "downloaded " + file.baseName()
                        + " has payload SHA-256 " + sha + " but the official one is " + file.payloadSha256()
                        + "; the download is corrupt or not the official file, so it was discarded");
            }
            Path target = dir.resolve(gz ? file.gzName() : file.baseName());
            Files.move(downloaded, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new DatasetFileException(downloaded, "cannot move into " + dir + " (" + e.getMessage() + ")", e);
        } catch (DatasetFileException e) {
            deleteQuietly(downloaded);
            throw e;
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort: a leftover *.part file is never read by the loader
            }
        }
    }
}
