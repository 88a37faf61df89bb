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
 * <p>Files: {@code <cache>/<spec.fileStem()>-0000.params} (DJL's format) and {@code <stem>.json} (the spec, test
 * accuracy, training time). The cache is {@code LORALAB_CACHE} (or {@code -Dloralab.cache}), else {@code build/base}
 * under the repository root found above the working directory, else {@code ~/.cache/loralab/base}. Both files are
 * written to a temp name and renamed, so an interrupted build never leaves a half file that a later call would load.
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
        Path params = paramsFile(spec, dir);
        if (!Files.isRegularFile(params) || !Files.isRegularFile(infoFile(spec, dir))) {
            build(spec, dir).close();
        }
        return load(spec, dir);
    }

    /** Metadata of the cached base of {@code spec} (builds it first if missing). */
    public static Info info(BaseSpec spec, Path dir) {
        boolean missing = !Files.isRegularFile(paramsFile(spec, dir)) || !Files.isRegularFile(infoFile(spec, dir));
        if (missing) {
            build(spec, dir).close();
        }
        return readInfo(spec, dir, missing);
    }

    /** {@link #info(BaseSpec, Path)} for the current spec and cache. */
    public static Info info() {
        return info(BaseSpec.current(), cacheDir());
    }

    /** Loads an existing base; fails with a message naming the file if it is missing or unreadable. */
    public static Model load(BaseSpec spec, Path dir) {
        Path params = paramsFile(spec, dir);
        if (!Files.isRegularFile(params)) {
            throw new IllegalStateException("no pretrained base at " + params
                    + ": call PretrainedBase.loadOrBuild() or run notebooks/00-pretrain-base.ipynb");
        }
        Model model = Model.newInstance(spec.fileStem());
        try {
            VitForImageClassification block = spec.newBlock();
            model.setBlock(block);
            // DJL's load sets the arrays but not Parameter.getShape(), which parameter counting needs: initialise
            // first (shapes), then let the file overwrite the values
            block.initialize(model.getNDManager(), DataType.FLOAT32, inputShape(spec));
            model.load(dir, spec.fileStem());
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
        Model model = Model.newInstance(spec.fileStem());
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
            save(model, spec, dir, accuracy, report, task);
            return model;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private static Shape inputShape(BaseSpec spec) {
        return new Shape(spec.batchSize(), 1, BaseSpec.IMAGE_SIZE, BaseSpec.IMAGE_SIZE);
    }

    /** {@code dir/<stem>-0000.params}, the DJL parameter file of {@code spec}. */
    public static Path paramsFile(BaseSpec spec, Path dir) {
        return dir.resolve(spec.fileStem() + "-0000.params");
    }

    static Path infoFile(BaseSpec spec, Path dir) {
        return dir.resolve(spec.fileStem() + ".json");
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

    private static void save(Model model, BaseSpec spec, Path dir, double accuracy, TrainingReport report,
            FashionTask task) {
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempDirectory(dir, ".building-");
            try {
                model.save(tmp, spec.fileStem());
                Map<String, Object> info = new LinkedHashMap<>();
                info.put("file", paramsFile(spec, dir).getFileName().toString());
                info.put("spec", spec.fileStem());
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
                move(tmp.resolve(spec.fileStem() + "-0000.params"), paramsFile(spec, dir));
                move(json, infoFile(spec, dir));
            } finally {
                deleteTree(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the pretrained base into " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Info readInfo(BaseSpec spec, Path dir, boolean built) {
        try {
            Map<?, ?> m = gson().fromJson(Files.readString(infoFile(spec, dir), StandardCharsets.UTF_8), Map.class);
            return new Info(spec, paramsFile(spec, dir), built, number(m, "test_accuracy"),
                    number(m, "train_seconds"), (long) number(m, "train_examples"), (long) number(m, "parameters"),
                    String.valueOf(m.get("data")));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read " + infoFile(spec, dir) + " (" + e.getMessage()
                    + "); delete it to rebuild the base", e);
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
