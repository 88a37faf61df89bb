package org.loralab.lora.models.pretrained;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.loralab.lora.models.VitForImageClassification;
import org.loralab.lora.train.Fit;
import org.loralab.lora.train.FitListener;
import org.loralab.lora.train.FitOptions;
import org.loralab.lora.train.TrainingReport;

/**
 * The project's own pretrained base (no model hub is reachable): a small HF-named ViT pretrained deterministically on
 * Fashion-MNIST classes 0-4, saved as a DJL parameter file in a cache folder and rebuilt when missing.
 *
 * <pre>{@code
 * Model base = PretrainedBase.loadOrBuild();   // BaseSpec.current(): fast in LORALAB_FAST=1, else full
 * }</pre>
 *
 * <p>Files: {@code <cache>/<stem>-0000.params} (DJL's format) and {@code <stem>.json} (the spec, test accuracy,
 * training time, the params file's SHA-256), where the stem is the recipe's {@link BaseSpec#fileStem()} plus
 * {@code -code<fingerprint>}, the {@link CodeFingerprint} of the classes that make the base: a base cached by other
 * code (a changed ViT, training loop or data loader) is not reused; the new code builds its own. The cache is
 * {@code LORALAB_CACHE} (or {@code -Dloralab.cache}), else {@code build/base} under the repository root found above
 * the working directory, else {@code ~/.cache/loralab/base}. Both files are written to a temp name and renamed, so an
 * interrupted build never leaves a half file that a later call would load; a cached file that cannot be read anyway
 * (or whose checksum does not match) is rebuilt by {@link #loadOrBuild} with a one-line notice on stderr.
 */
public final class PretrainedBase {
    public static final String ENV_CACHE = "LORALAB_CACHE";

    private PretrainedBase() {}

    /** What {@link #loadOrBuild(BaseSpec, Path)} found or made. */
    public record Info(BaseSpec spec, Path paramsFile, boolean built, double testAccuracy, double trainSeconds,
            long trainExamples, long parameters, String dataSource) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s pretrained base %s: %,d parameters, test accuracy %.3f on classes "
                    + "%s (%,d training examples, %.1f s)", built ? "built" : "loaded", paramsFile.getFileName(),
                    parameters, testAccuracy, FashionTask.describe(spec.classes()), trainExamples, trainSeconds);
        }
    }

    /** The base of {@link BaseSpec#current()} from {@link #cacheDir()}, built first if missing. */
    public static Model loadOrBuild() {
        return loadOrBuild(BaseSpec.current(), cacheDir());
    }

    /** The base of {@code spec} from {@code dir}: loads the file, or trains, saves and returns a new one. */
    public static Model loadOrBuild(BaseSpec spec, Path dir) {
        return loadOrBuild(spec, dir, CodeFingerprint.current());
    }

    /** As {@link #loadOrBuild(BaseSpec, Path)} for the base cached under the code fingerprint {@code code}. */
    static Model loadOrBuild(BaseSpec spec, Path dir, String code) {
        if (isCached(spec, dir, code)) {
            try {
                verify(spec, dir, code);
                return load(spec, dir, code);
            } catch (IllegalStateException e) {
                notice(spec, dir, code, e);
            }
        }
        build(spec, dir, code, null).close();
        return load(spec, dir, code);
    }

    /** Metadata of the cached base of {@code spec} (builds it first if missing or unreadable). */
    public static Info info(BaseSpec spec, Path dir) {
        return info(spec, dir, CodeFingerprint.current());
    }

    static Info info(BaseSpec spec, Path dir, String code) {
        if (isCached(spec, dir, code)) {
            try {
                return readInfo(spec, dir, code, false);
            } catch (IllegalStateException e) {
                notice(spec, dir, code, e);
            }
        }
        build(spec, dir, code, null).close();
        return readInfo(spec, dir, code, true);
    }

    private static boolean isCached(BaseSpec spec, Path dir, String code) {
        return Files.isRegularFile(paramsFile(spec, dir, code)) && Files.isRegularFile(infoFile(spec, dir, code));
    }

    /** The one line a rebuild of an unreadable cached base prints (the cause's message, on one line). */
    private static void notice(BaseSpec spec, Path dir, String code, IllegalStateException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        String why = String.valueOf(cause.getMessage()).replaceAll("\\s+", " ");
        System.err.println("loralab: the cached pretrained base " + paramsFile(spec, dir, code) + " is unreadable ("
                + why + "); rebuilding it");
    }

    /** {@link #info(BaseSpec, Path)} for the current spec and cache. */
    public static Info info() {
        return info(BaseSpec.current(), cacheDir());
    }

    /** Loads an existing base; fails with a message naming the file if it is missing or unreadable. */
    public static Model load(BaseSpec spec, Path dir) {
        return load(spec, dir, CodeFingerprint.current());
    }

    static Model load(BaseSpec spec, Path dir, String code) {
        Path params = paramsFile(spec, dir, code);
        if (!Files.isRegularFile(params)) {
            throw new IllegalStateException("no pretrained base at " + params
                    + ": call PretrainedBase.loadOrBuild() or run notebooks/00-pretrain-base.ipynb");
        }
        Model model = Model.newInstance(stem(spec, code));
        try {
            VitForImageClassification block = spec.newBlock();
            model.setBlock(block);
            // DJL's load sets the arrays but not Parameter.getShape(), which parameter counting needs: initialise
            // first (shapes), then let the file overwrite the values
            block.initialize(model.getNDManager(), DataType.FLOAT32, inputShape(spec));
            model.load(dir, stem(spec, code));
            // loaded arrays come without autograd; initialize() would have attached it (full fine-tuning needs it)
            for (Pair<String, Parameter> p : block.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    p.getValue().getArray().setRequiresGradient(true);
                }
            }
            return model;
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw new IllegalStateException("cannot load the pretrained base " + params + " (" + e.getMessage()
                    + "); delete it and call PretrainedBase.loadOrBuild() to rebuild it", e);
        }
    }

    /**
     * Trains a base from scratch with {@code spec}'s seed and budget and saves it into {@code dir} (replacing any
     * file of the same spec). Returns the trained model, which the caller closes.
     */
    public static Model build(BaseSpec spec, Path dir) {
        return build(spec, dir, null);
    }

    /** As {@link #build(BaseSpec, Path)}, reporting progress to {@code listener} (e.g. a notebook's live view). */
    public static Model build(BaseSpec spec, Path dir, FitListener listener) {
        return build(spec, dir, CodeFingerprint.current(), listener);
    }

    static Model build(BaseSpec spec, Path dir, String code, FitListener listener) {
        Model model = Model.newInstance(stem(spec, code));
        try (NDManager data = NDManager.newBaseManager()) {
            FashionTask task = FashionTask.pretraining(data, spec);
            VitForImageClassification block = spec.newBlock();
            model.setBlock(block);
            Engine.getInstance().setRandomSeed((int) spec.seed());
            block.initialize(model.getNDManager(), DataType.FLOAT32, inputShape(spec));
            FitOptions options = FitOptions.defaults().epochs(spec.epochs()).batchSize(spec.batchSize())
                    .lr(spec.lr()).seed(spec.seed()).schedule("cosine");
            if (listener != null) {
                options.listener(listener);
            }
            TrainingReport report = Fit.fit(model, task.train(), null, options);
            if (report.stoppedEarly()) {
                throw new IllegalStateException("pretraining the base stopped early (" + report.stopReason() + ": "
                        + report.message() + "); nothing was saved");
            }
            double accuracy = Evaluation.accuracy(block, task.test());
            save(model, spec, dir, code, accuracy, report, task);
            return model;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private static Shape inputShape(BaseSpec spec) {
        return new Shape(spec.batchSize(), 1, BaseSpec.IMAGE_SIZE, BaseSpec.IMAGE_SIZE);
    }

    /** {@code dir/<stem>-0000.params}, the DJL parameter file of {@code spec} made by the running code. */
    public static Path paramsFile(BaseSpec spec, Path dir) {
        return paramsFile(spec, dir, CodeFingerprint.current());
    }

    static Path paramsFile(BaseSpec spec, Path dir, String code) {
        return dir.resolve(stem(spec, code) + "-0000.params");
    }

    static Path infoFile(BaseSpec spec, Path dir, String code) {
        return dir.resolve(stem(spec, code) + ".json");
    }

    /** The recipe's stem plus the code fingerprint, e.g. {@code vit-h64-...-full-s7-code3f9a0c12d4e5}. */
    static String stem(BaseSpec spec, String code) {
        if (code == null || !code.matches("[0-9a-z]+")) {
            throw new IllegalArgumentException("a code fingerprint is lower-case letters or digits, got " + code);
        }
        return spec.fileStem() + "-code" + code;
    }

    /** Where bases are cached; see the class comment. */
    public static Path cacheDir() {
        String configured = System.getProperty("loralab.cache", System.getenv(ENV_CACHE));
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("loralab")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p.resolve("build").resolve("base");
            }
        }
        return Path.of(System.getProperty("user.home"), ".cache", "loralab", "base");
    }

    private static void save(Model model, BaseSpec spec, Path dir, String code, double accuracy,
            TrainingReport report, FashionTask task) {
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempDirectory(dir, ".building-");
            try {
                String stem = stem(spec, code);
                model.save(tmp, stem);
                Path params = tmp.resolve(stem + "-0000.params");
                Map<String, Object> info = new LinkedHashMap<>();
                info.put("file", paramsFile(spec, dir, code).getFileName().toString());
                info.put("params_sha256", sha256(params));
                info.put("spec", spec.fileStem());
                info.put("code", code);
                info.put("classes", spec.classes());
                info.put("test_examples", task.test().size());
                info.put("train_examples", task.train().size());
                info.put("test_accuracy", accuracy);
                info.put("train_seconds", report.wallSeconds());
                info.put("parameters", report.totalParams());
                info.put("data", task.source());
                Path json = tmp.resolve("info.json");
                Files.writeString(json, gson().toJson(info), StandardCharsets.UTF_8);
                // the params file first: the info file is what marks a base complete
                move(params, paramsFile(spec, dir, code));
                move(json, infoFile(spec, dir, code));
            } finally {
                deleteTree(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the pretrained base into " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Fails (IllegalStateException) when the params file's SHA-256 differs from the one its info file recorded, or
     * when the info file records none (edited, or not written by this code): an unchecked file is not trusted.
     */
    private static void verify(BaseSpec spec, Path dir, String code) {
        Object recorded = readInfoMap(spec, dir, code).get("params_sha256");
        Path params = paramsFile(spec, dir, code);
        if (!(recorded instanceof String)) {
            throw new IllegalStateException(infoFile(spec, dir, code) + " records no params_sha256 to check it against");
        }
        try {
            if (!recorded.equals(sha256(params))) {
                throw new IllegalStateException("its SHA-256 is not the one recorded in " + infoFile(spec, dir, code));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + params + ": " + e.getMessage(), e);
        }
    }

    private static Map<?, ?> readInfoMap(BaseSpec spec, Path dir, String code) {
        Path file = infoFile(spec, dir, code);
        try {
            Map<?, ?> m = gson().fromJson(Files.readString(file, StandardCharsets.UTF_8), Map.class);
            if (m == null) {
                throw new IllegalStateException("it is empty");
            }
            return m;
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read " + file + " (" + e.getMessage()
                    + "); delete it to rebuild the base", e);
        }
    }

    private static Info readInfo(BaseSpec spec, Path dir, String code, boolean built) {
        Map<?, ?> m = readInfoMap(spec, dir, code);
        try {
            return new Info(spec, paramsFile(spec, dir, code), built, number(m, "test_accuracy"),
                    number(m, "train_seconds"), (long) number(m, "train_examples"), (long) number(m, "parameters"),
                    String.valueOf(m.get("data")));
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot read " + infoFile(spec, dir, code) + " (" + e.getMessage()
                    + "); delete it to rebuild the base", e);
        }
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    private static double number(Map<?, ?> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof Number n)) {
            throw new IllegalStateException("field '" + key + "' is missing");
        }
        return n.doubleValue();
    }

    private static Gson gson() {
        return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
