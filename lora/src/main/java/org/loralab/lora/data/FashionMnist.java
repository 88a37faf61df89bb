package org.loralab.lora.data;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.loralab.lora.data.FashionMnistData.Source;

/**
 * Loads Fashion-MNIST (IDX, gzip or raw), searching in order:
 * <ol>
 *   <li>an explicit folder ({@link Loader#path(Path)}), else the folder in {@code LORALAB_FASHION_MNIST};</li>
 *   <li>the repository's committed subset {@code datasets/fashion-mnist/} (found by walking up from the working
 *       directory, or under {@code LORALAB_HOME} / {@code -Dloralab.home});</li>
 *   <li>{@code /usr/share/datasets/fashion-mnist} (Debian package {@code dataset-fashion-mnist});</li>
 *   <li>an opt-in download ({@link Loader#allowDownload(boolean)} or {@code LORALAB_FASHION_MNIST_DOWNLOAD=1}).</li>
 * </ol>
 * Every file is checked: magic number, counts, 28x28 shape, labels 0-9, and the payload SHA-256 — against the
 * folder's {@code SHA256SUMS} manifest when there is one (the repo subset must have one), else against the
 * official checksums when the file has the official size. {@link FashionMnistData#description()} says which source
 * was used. Typical use: {@code FashionMnist.load()} or {@code FashionMnist.loader().requireFull().load()}.
 */
public final class FashionMnist {
    public static final String ENV_PATH = "LORALAB_FASHION_MNIST";
    public static final String ENV_DOWNLOAD = "LORALAB_FASHION_MNIST_DOWNLOAD";
    public static final Path SYSTEM_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    public static final String MANIFEST = "SHA256SUMS";
    static final Path REPO_SUBSET = Path.of("datasets", "fashion-mnist");

    private FashionMnist() {}

    /** Loads with the default search order. */
    public static FashionMnistData load() {
        return loader().load();
    }

    public static Loader loader() {
        return new Loader();
    }

    /** Search options. */
    public static final class Loader {
        private Path explicitPath;
        private Path repoRoot;
        private Path systemDir = SYSTEM_DIR;
        private boolean requireFull;
        private Boolean allowDownload;
        private Path downloadDir = FashionMnistDownload.defaultCacheDir();
        private URI downloadBase = FashionMnistDownload.OFFICIAL_BASE;
        private Function<String, String> env = System::getenv;

        private Loader() {}

        /** Use this folder and nothing else (fails if the files are not there). */
        public Loader path(Path dir) {
            this.explicitPath = dir;
            return this;
        }

        /** The repository root whose {@code datasets/fashion-mnist} holds the subset (default: searched). */
        public Loader repoRoot(Path root) {
            this.repoRoot = root;
            return this;
        }

        /** The system folder (default {@code /usr/share/datasets/fashion-mnist}). */
        public Loader systemDir(Path dir) {
            this.systemDir = dir;
            return this;
        }

        /** Skip the committed subset and accept only the official 60,000 + 10,000 files. */
        public Loader requireFull() {
            this.requireFull = true;
            return this;
        }

        /** Allow the download from the official location as the last resort (default off). */
        public Loader allowDownload(boolean allow) {
            this.allowDownload = allow;
            return this;
        }

        public Loader downloadDir(Path dir) {
            this.downloadDir = dir;
            return this;
        }

        public Loader downloadBase(URI base) {
            this.downloadBase = base;
            return this;
        }

        /** Replaces the environment lookup (for tests). */
        Loader environment(Function<String, String> env) {
            this.env = env;
            return this;
        }

        public FashionMnistData load() {
            List<String> searched = new ArrayList<>();
            if (explicitPath != null) {
                return loadFrom(explicitPath, Source.EXPLICIT_PATH, true);
            }
            String envPath = env.apply(ENV_PATH);
            if (envPath != null && !envPath.isBlank()) {
                return loadFrom(Path.of(envPath), Source.ENVIRONMENT, true);
            }
            searched.add(ENV_PATH + " (not set)");
            if (!requireFull) {
                Path subset = findRepoSubset();
                if (subset != null) {
                    return loadFrom(subset, Source.REPO_SUBSET, false);
                }
                searched.add("datasets/fashion-mnist above " + Path.of("").toAbsolutePath());
            }
            if (hasAllFiles(systemDir)) {
                return loadFrom(systemDir, Source.SYSTEM_PACKAGE, true);
            }
            searched.add(systemDir + " (apt-get install dataset-fashion-mnist)");
            if (downloadAllowed()) {
                FashionMnistDownload.downloadAll(downloadBase, downloadDir);
                return loadFrom(downloadDir, Source.DOWNLOAD, true);
            }
            searched.add("download (off; enable with allowDownload(true) or " + ENV_DOWNLOAD + "=1)");
            throw new IllegalStateException("Fashion-MNIST not found. Searched: " + String.join("; ", searched)
                    + ". Set " + ENV_PATH + " to a folder with the four IDX files, or allow the download.");
        }

        private boolean downloadAllowed() {
            if (allowDownload != null) {
                return allowDownload;
            }
            String v = env.apply(ENV_DOWNLOAD);
            return v != null && (v.equals("1") || v.equalsIgnoreCase("true"));
        }

        private Path findRepoSubset() {
            List<Path> roots = new ArrayList<>();
            if (repoRoot != null) {
                roots.add(repoRoot);
            } else {
                String home = System.getProperty("loralab.home", env.apply("LORALAB_HOME"));
                if (home != null && !home.isBlank()) {
                    roots.add(Path.of(home));
                }
                for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
                    roots.add(p);
                }
            }
            for (Path root : roots) {
                Path dir = root.resolve(REPO_SUBSET);
                if (Files.isRegularFile(dir.resolve(MANIFEST)) && hasAllFiles(dir)) {
                    return dir;
                }
            }
            return null;
        }

        private FashionMnistData loadFrom(Path dir, Source source, boolean officialOrManifest) {
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("Fashion-MNIST folder " + dir + " (" + source
                        + ") does not exist; point it at a folder with the four IDX files");
            }
            Map<String, String> manifest = readManifest(dir);
            if (source == Source.REPO_SUBSET && manifest == null) {
                throw new DatasetFileException(dir.resolve(MANIFEST), "the committed subset has no manifest");
            }
            List<String> checks = new ArrayList<>();
            Idx.Images trainImages = Idx.parseImages(file(dir, FashionMnistFile.TRAIN_IMAGES),
                    verified(dir, FashionMnistFile.TRAIN_IMAGES, manifest, checks));
            byte[] trainLabels = Idx.parseLabels(file(dir, FashionMnistFile.TRAIN_LABELS),
                    verified(dir, FashionMnistFile.TRAIN_LABELS, manifest, checks), 10);
            Idx.Images testImages = Idx.parseImages(file(dir, FashionMnistFile.TEST_IMAGES),
                    verified(dir, FashionMnistFile.TEST_IMAGES, manifest, checks));
            byte[] testLabels = Idx.parseLabels(file(dir, FashionMnistFile.TEST_LABELS),
                    verified(dir, FashionMnistFile.TEST_LABELS, manifest, checks), 10);
            checkShape(file(dir, FashionMnistFile.TRAIN_IMAGES), trainImages);
            checkShape(file(dir, FashionMnistFile.TEST_IMAGES), testImages);
            checkPair(dir, FashionMnistFile.TRAIN_IMAGES, trainImages.count(), FashionMnistFile.TRAIN_LABELS,
                    trainLabels.length);
            checkPair(dir, FashionMnistFile.TEST_IMAGES, testImages.count(), FashionMnistFile.TEST_LABELS,
                    testLabels.length);
            if (requireFull && (trainImages.count() != 60_000 || testImages.count() != 10_000)) {
                throw new IllegalStateException("requireFull(): " + dir + " holds " + trainImages.count()
                        + " + " + testImages.count() + " examples, not the official 60,000 + 10,000");
            }
            String verification = checks.stream().distinct().count() == 1 ? checks.get(0) : String.join(", ", checks);
            return new FashionMnistData(new FashionMnistSplit("train", trainImages, trainLabels),
                    new FashionMnistSplit("test", testImages, testLabels), source, dir, verification);
        }

        private static void checkShape(Path file, Idx.Images images) {
            if (images.rows() != 28 || images.cols() != 28) {
                throw new DatasetFileException(file, "images are " + images.rows() + "x" + images.cols()
                        + ", Fashion-MNIST images are 28x28");
            }
        }

        private static void checkPair(Path dir, FashionMnistFile images, int imageCount, FashionMnistFile labels,
                int labelCount) {
            if (imageCount != labelCount) {
                throw new DatasetFileException(file(dir, labels), labelCount + " labels but "
                        + file(dir, images).getFileName() + " has " + imageCount + " images");
            }
        }

        private static byte[] verified(Path dir, FashionMnistFile f, Map<String, String> manifest,
                List<String> checks) {
            Path path = file(dir, f);
            byte[] payload = Idx.readPayload(path);
            String sha = Idx.sha256(payload);
            if (manifest != null) {
                String expected = manifest.get(f.baseName());
                if (expected == null) {
                    throw new DatasetFileException(dir.resolve(MANIFEST), "has no entry for " + f.baseName());
                }
                if (!expected.equals(sha)) {
                    throw new DatasetFileException(path, "payload SHA-256 " + sha + " does not match " + expected
                            + " in " + MANIFEST + "; the file is corrupt or was changed");
                }
                checks.add("payload SHA-256 verified against " + dir.resolve(MANIFEST));
                return payload;
            }
            int count = payload.length >= 8 ? java.nio.ByteBuffer.wrap(payload).getInt(4) : -1;
            if (count == f.officialCount()) {
                if (!f.payloadSha256().equals(sha)) {
                    throw new DatasetFileException(path, "payload SHA-256 " + sha
                            + " does not match the official " + f.payloadSha256()
                            + "; the file is corrupt or modified");
                }
                checks.add("payload SHA-256 verified against the official checksums");
            } else {
                checks.add("structure checked; no checksum (not the official size and no " + MANIFEST + ")");
            }
            return payload;
        }

        private static Map<String, String> readManifest(Path dir) {
            Path m = dir.resolve(MANIFEST);
            if (!Files.isRegularFile(m)) {
                return null;
            }
            Map<String, String> out = new HashMap<>();
            try {
                for (String line : Files.readAllLines(m)) {
                    String t = line.trim();
                    if (t.isEmpty() || t.startsWith("#")) {
                        continue;
                    }
                    String[] parts = t.split("\\s+\\*?", 2);
                    if (parts.length != 2 || !parts[0].matches("[0-9a-fA-F]{64}")) {
                        throw new DatasetFileException(m, "bad manifest line '" + t
                                + "'; expected '<sha256>  <file name>'");
                    }
                    String name = parts[1].endsWith(".gz") ? parts[1].substring(0, parts[1].length() - 3) : parts[1];
                    out.put(name, parts[0].toLowerCase(java.util.Locale.ROOT));
                }
            } catch (IOException e) {
                throw new DatasetFileException(m, "cannot read (" + e.getMessage() + ")", e);
            }
            return out;
        }
    }

    static boolean hasAllFiles(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) {
            return false;
        }
        for (FashionMnistFile f : FashionMnistFile.values()) {
            if (!Files.isRegularFile(dir.resolve(f.gzName())) && !Files.isRegularFile(dir.resolve(f.baseName()))) {
                return false;
            }
        }
        return true;
    }

    /** The file for {@code f} in {@code dir}: the .gz when present, else the raw file (which may be missing). */
    static Path file(Path dir, FashionMnistFile f) {
        Path gz = dir.resolve(f.gzName());
        return Files.exists(gz) ? gz : dir.resolve(f.baseName());
    }
}
