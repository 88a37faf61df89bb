package org.loralab.lora.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loralab.lora.data.FashionMnistData.Source;

class FashionMnistLoaderTest {
    private static final Path SUBSET = findSubset();

    @TempDir
    Path tmp;

    private static Path findSubset() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("datasets/fashion-mnist/SHA256SUMS"))) {
                return p.resolve("datasets/fashion-mnist");
            }
        }
        throw new IllegalStateException("datasets/fashion-mnist not found above the working directory");
    }

    private static FashionMnist.Loader noEnv() {
        return FashionMnist.loader().environment(name -> null);
    }

    @Test
    void defaultSearchFindsTheVerifiedClassBalancedRepoSubset() {
        FashionMnistData data = noEnv().load();
        assertEquals(Source.REPO_SUBSET, data.source());
        assertEquals(2000, data.train().size());
        assertEquals(500, data.test().size());
        int[] tenOf200 = new int[10];
        Arrays.fill(tenOf200, 200);
        assertArrayEquals(tenOf200, data.train().classCounts());
        assertEquals(28, data.train().rows());
        assertTrue(data.verification().contains("SHA256SUMS"), data.verification());
        assertTrue(data.description().contains("repo subset"), data.description());
        // the subset keeps file order, so it starts like the official files
        assertEquals(9, data.train().label(0));
        assertEquals(9, data.test().label(0));
    }

    @Test
    void fullDebianFilesMatchTheOfficialChecksumsAndKnownLabels() {
        Assumptions.assumeTrue(FashionMnist.hasAllFiles(FashionMnist.SYSTEM_DIR), "dataset-fashion-mnist not installed");
        FashionMnistData data = noEnv().requireFull().load();
        assertEquals(Source.SYSTEM_PACKAGE, data.source());
        assertEquals(60_000, data.train().size());
        assertEquals(10_000, data.test().size());
        assertEquals("payload SHA-256 verified against the official checksums", data.verification());
        int[] firstTrain = {9, 0, 0, 3, 0, 2, 7, 2, 5, 5};
        int[] firstTest = {9, 2, 1, 1, 6, 1, 4, 6, 5, 7};
        for (int i = 0; i < 10; i++) {
            assertEquals(firstTrain[i], data.train().label(i));
            assertEquals(firstTest[i], data.test().label(i));
        }
        for (int count : data.train().classCounts()) {
            assertEquals(6000, count);
        }
    }

    @Test
    void explicitPathAndEnvironmentVariableComeFirstAndAcceptRawFiles() throws IOException {
        Path dir = copySubset(tmp.resolve("raw"), true);
        FashionMnistData explicit = noEnv().path(dir).load();
        assertEquals(Source.EXPLICIT_PATH, explicit.source());
        assertEquals(2000, explicit.train().size());
        FashionMnistData fromEnv = FashionMnist.loader()
                .environment(n -> n.equals(FashionMnist.ENV_PATH) ? dir.toString() : null).load();
        assertEquals(Source.ENVIRONMENT, fromEnv.source());
        assertEquals(dir, fromEnv.location());
    }

    @Test
    void truncatedGzipFailsNamingTheFile() throws IOException {
        Path dir = copySubset(tmp.resolve("trunc"), false);
        Path f = dir.resolve("train-images-idx3-ubyte.gz");
        byte[] gz = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(gz, gz.length / 2));
        DatasetFileException e = assertThrows(DatasetFileException.class, () -> noEnv().path(dir).load());
        assertEquals(f, e.file());
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz") && e.getMessage().contains("truncated"),
                e.getMessage());
    }

    @Test
    void changedPayloadFailsTheManifestCheck() throws IOException {
        Path dir = copySubset(tmp.resolve("flip"), true);
        Path f = dir.resolve("t10k-images-idx3-ubyte");
        byte[] raw = Files.readAllBytes(f);
        raw[1000] ^= 0x55;
        Files.write(f, raw);
        DatasetFileException e = assertThrows(DatasetFileException.class, () -> noEnv().path(dir).load());
        assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte") && e.getMessage().contains("SHA256SUMS"),
                e.getMessage());
    }

    @Test
    void structuralErrorsAreReportedWithoutAManifest() throws IOException {
        Path dir = copySubset(tmp.resolve("nomanifest"), true);
        Files.delete(dir.resolve(FashionMnist.MANIFEST));
        FashionMnistData ok = noEnv().path(dir).load();
        assertTrue(ok.verification().contains("no checksum"), ok.verification());

        Path labels = dir.resolve("train-labels-idx1-ubyte");
        byte[] raw = Files.readAllBytes(labels);
        Files.write(labels, Arrays.copyOf(raw, raw.length - 7));
        DatasetFileException truncated = assertThrows(DatasetFileException.class, () -> noEnv().path(dir).load());
        assertTrue(truncated.getMessage().contains("train-labels-idx1-ubyte")
                && truncated.getMessage().contains("truncated: the header announces 2000 labels"),
                truncated.getMessage());

        raw[9] = 12;
        Files.write(labels, raw);
        DatasetFileException badLabel = assertThrows(DatasetFileException.class, () -> noEnv().path(dir).load());
        assertTrue(badLabel.getMessage().contains("label 12 at index 1"), badLabel.getMessage());

        raw[9] = 0;
        raw[3] = 0x03; // images magic in a labels file
        Files.write(labels, raw);
        DatasetFileException magic = assertThrows(DatasetFileException.class, () -> noEnv().path(dir).load());
        assertTrue(magic.getMessage().contains("wrong magic number 0x00000803, expected 0x00000801"),
                magic.getMessage());
    }

    @Test
    void missingEverywhereListsWhatWasSearched() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> noEnv().requireFull().systemDir(tmp.resolve("none")).load());
        assertTrue(e.getMessage().contains(FashionMnist.ENV_PATH) && e.getMessage().contains("download (off"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> noEnv().path(tmp.resolve("missing")).load());
    }

    @Test
    void requireFullRejectsASubset() throws IOException {
        Path dir = copySubset(tmp.resolve("sub"), false);
        assertThrows(IllegalStateException.class, () -> noEnv().path(dir).requireFull().load());
    }

    @Test
    void downloadVerificationInstallsOnlyTheOfficialPayload() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("cache"));
        // a "download" that is a valid IDX labels file but not the official one
        Path wrong = tmp.resolve("wrong.part");
        Files.write(wrong, gzip(Idx.writeLabels(new byte[] {1, 2, 3})));
        DatasetFileException e = assertThrows(DatasetFileException.class,
                () -> FashionMnistDownload.installVerified(wrong, FashionMnistFile.TEST_LABELS, dir));
        assertTrue(e.getMessage().contains(FashionMnistFile.TEST_LABELS.payloadSha256()), e.getMessage());
        assertFalse(Files.exists(wrong), "a rejected download is deleted");
        assertFalse(Files.exists(dir.resolve("t10k-labels-idx1-ubyte.gz")));

        Path official = FashionMnist.SYSTEM_DIR.resolve("t10k-labels-idx1-ubyte.gz");
        Assumptions.assumeTrue(Files.exists(official), "dataset-fashion-mnist not installed");
        Path part = tmp.resolve("labels.part");
        Files.copy(official, part);
        Path installed = FashionMnistDownload.installVerified(part, FashionMnistFile.TEST_LABELS, dir);
        assertEquals(dir.resolve("t10k-labels-idx1-ubyte.gz"), installed);
        assertEquals(FashionMnistFile.TEST_LABELS.payloadSha256(), Idx.sha256(Idx.readPayload(installed)));
    }

    /** Copies the subset into {@code dir}, decompressed when {@code raw}. */
    static Path copySubset(Path dir, boolean raw) throws IOException {
        Files.createDirectories(dir);
        Files.copy(SUBSET.resolve(FashionMnist.MANIFEST), dir.resolve(FashionMnist.MANIFEST));
        for (FashionMnistFile f : FashionMnistFile.values()) {
            Path src = SUBSET.resolve(f.gzName());
            if (raw) {
                Files.write(dir.resolve(f.baseName()), Idx.readPayload(src));
            } else {
                Files.copy(src, dir.resolve(f.gzName()));
            }
        }
        return dir;
    }

    private static byte[] gzip(byte[] payload) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(payload);
        }
        return out.toByteArray();
    }
}
