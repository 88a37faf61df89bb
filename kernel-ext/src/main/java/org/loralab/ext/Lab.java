package org.loralab.ext;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.training.loss.Loss;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.ejml.data.DMatrixRMaj;
import org.loralab.ext.live.Display;
import org.loralab.ext.live.LiveSearchView;
import org.loralab.ext.live.LiveSweepView;
import org.loralab.ext.live.LiveTrainingView;
import org.loralab.ext.live.NotebookDisplay;
import org.loralab.ext.live.StdoutProgress;
import org.loralab.lora.analysis.Spectra;
import org.loralab.lora.analysis.Spectrum;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.hf.HfModel;
import org.loralab.lora.hf.causal.PromptFormat;
import org.loralab.lora.hf.generate.GenerationConfig;
import org.loralab.lora.hf.tokenizer.HfTokenizer;
import org.loralab.lora.inject.AdaptedLayerInfo;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.linalg.Matrices;
import org.loralab.lora.search.FitRungEvaluator;
import org.loralab.lora.search.SearchResult;
import org.loralab.lora.search.SearchScheme;
import org.loralab.lora.search.SearchSpace;
import org.loralab.lora.train.Checkpoints;
import org.loralab.lora.train.Devices;
import org.loralab.lora.train.Fit;
import org.loralab.lora.train.FitListener;
import org.loralab.lora.train.FitOptions;
import org.loralab.lora.train.FitState;
import org.loralab.lora.train.Sweep;
import org.loralab.lora.train.SyntheticTasks;
import org.loralab.lora.train.TensorData;
import org.loralab.lora.train.TrainingReport;
import tech.tablesaw.api.Table;

/**
 * The notebook's working set, and the public Java calls every magic wraps.
 *
 * <p>Convention: the magics act on "the current model", {@link #current()}. It is set by {@link #use(Model)} or
 * {@link #use(AdaptedModel)}, and replaced by {@code %lora inject} ({@link #inject}) with the adapted model. Training
 * data is set by {@link #data(TensorData, TensorData)} (or {@link #syntheticData}); {@code %sweep} and
 * {@code %search} also need {@link #baseModel(Supplier)} to build a fresh base per grid point or trial. A failing call changes none of these.
 */
public final class Lab {
    public static final String VERSION = "0.1.0";

    private static Model model;
    private static AdaptedModel adapted;
    private static TensorData train;
    private static TensorData validation;
    private static TrainingReport lastReport;
    private static Table lastSweep;
    private static SearchResult lastSearch;
    private static Supplier<Model> baseModel;
    private static Device[] devices;
    private static Display display;
    private static NDManager manager;
    /** The loss the current data needs when it is not a classification set (null: FitOptions' own). */
    private static Loss dataLoss;

    private Lab() {}

    // ------------------------------------------------------------------ the current model

    /** Makes a plain DJL model current (forgetting any adapted one). */
    public static synchronized void use(Model m) {
        if (m == null) {
            throw new IllegalArgumentException("Lab.use: model is null");
        }
        model = m;
        adapted = null;
    }

    /** Makes an adapted model current. */
    public static synchronized void use(AdaptedModel m) {
        if (m == null) {
            throw new IllegalArgumentException("Lab.use: adapted model is null");
        }
        adapted = m;
        model = m.model();
    }

    /** The current model: the AdaptedModel if there is one, else the plain Model, else null. */
    public static synchronized Object current() {
        return adapted != null ? adapted : model;
    }

    public static synchronized Model model() {
        if (model == null) {
            throw new IllegalStateException("no model: call Lab.use(model) with a DJL Model first");
        }
        return model;
    }

    public static synchronized AdaptedModel adapted() {
        if (adapted == null) {
            throw new IllegalStateException(
                    "no adapted model: run %lora inject r=8 alpha=16 targets=... (or Lab.inject(config)) first");
        }
        return adapted;
    }

    /** {@code %lora inject}: injects adapter "default" into the current model and makes the result current. */
    public static synchronized AdaptedModel inject(AdapterConfig config) {
        return inject(config, null);
    }

    /**
     * {@code %lora inject name=NAME}: the first injection creates the adapted model (adapter "default" unless named);
     * later ones add a named adapter to it (inactive until {@code %lora use NAME}).
     */
    public static synchronized AdaptedModel inject(AdapterConfig config, String name) {
        if (adapted != null) {
            if (name == null) {
                throw new IllegalArgumentException("%lora: an adapter is already injected ("
                        + String.join(", ", adapted.adapterNames()) + "); give name=NAME to add another");
            }
            adapted.addAdapter(name, config);
            return adapted;
        }
        Model m = model();
        AdaptedModel a = name == null || name.equals(AdaptedModel.DEFAULT)
                ? AdaptedModel.inject(m, config)
                : AdaptedModel.inject(m.getBlock(), config, name);
        use(a);
        if (a.model() == null) {
            model = m;
        }
        return a;
    }

    // ------------------------------------------------------------------ data

    public static synchronized void data(TensorData trainData, TensorData validationData) {
        if (trainData == null) {
            throw new IllegalArgumentException("Lab.data: training data is null");
        }
        train = trainData;
        validation = validationData;
        dataLoss = null;
    }

    /** Training data that needs its own loss (e.g. causal-LM labels need CausalLmLoss); %%train uses it. */
    public static synchronized void data(TensorData trainData, TensorData validationData, Loss loss) {
        data(trainData, validationData);
        dataLoss = loss;
    }

    /** Generates Gaussian-blob classification data (no download) and makes it current. */
    public static synchronized SyntheticTasks.Split syntheticData(int trainSize, int validationSize, int features,
            int classes, long seed) {
        SyntheticTasks.Split s = SyntheticTasks.blobs(manager(), trainSize, validationSize, features, classes, 3.0,
                seed);
        data(s.train(), s.validation());
        return s;
    }

    public static synchronized TensorData trainData() {
        if (train == null) {
            throw new IllegalStateException(
                    "no training data: call Lab.data(train, validation) or Lab.syntheticData(...) first");
        }
        return train;
    }

    public static synchronized TensorData validationData() {
        return validation;
    }

    /** A manager for data the Lab creates; lives as long as the kernel. */
    public static synchronized NDManager manager() {
        if (manager == null) {
            manager = NDManager.newBaseManager();
        }
        return manager;
    }

    // ------------------------------------------------------------------ training

    /** {@code %device SPEC}: "auto", "cpu", "gpu" or "gpuN" for later training; returns the devices. */
    public static synchronized Device[] devices(String spec) {
        devices = Devices.parse(spec);
        return devices.clone();
    }

    public static synchronized Device[] devices() {
        return devices == null ? Devices.engineDefault() : devices.clone();
    }

    /** {@code %%train}: trains the current model on the current data with the live view; keeps the report. */
    public static TrainingReport train(FitOptions options) {
        Object target = requireCurrent();
        FitOptions o = withCurrentSettings(options).listener(liveView());
        TensorData t = trainData();
        TensorData v = validationData();
        TrainingReport r = target instanceof AdaptedModel a ? Fit.fit(a, t, v, o) : Fit.fit((Model) target, t, v, o);
        synchronized (Lab.class) {
            lastReport = r;
        }
        return r;
    }

    private static synchronized Object requireCurrent() {
        Object target = current();
        if (target == null) {
            throw new IllegalStateException("no model: call Lab.use(model) or run %lora inject first");
        }
        return target;
    }

    /**
     * {@code %%train resume: CHECKPOINT}: loads a checkpoint written by a fit with checkpoints into the current model
     * and trains the steps its run had left, from the saved optimizer state and data position: the weights of the
     * run that was not stopped. Keeps the report.
     */
    public static TrainingReport resume(java.nio.file.Path checkpoint, FitOptions options) {
        Object target = requireCurrent();
        TensorData t = trainData();
        TensorData v = validationData();
        FitOptions o = withCurrentSettings(options).listener(liveView());
        TrainingReport r;
        if (target instanceof AdaptedModel a) {
            FitState state = org.loralab.lora.train.GradMode.off(() -> Checkpoints.resume(checkpoint, a.block(),
                    a.model() != null ? a.model().getNDManager() : manager()));
            a.refreshTrainability();
            r = Fit.fit(a, t, v, o.steps(remaining(state)), state);
        } else {
            Model m = (Model) target;
            FitState state = org.loralab.lora.train.GradMode.off(
                    () -> Checkpoints.resume(checkpoint, m.getBlock(), m.getNDManager()));
            r = Fit.fit(m.getBlock(), m.getNDManager(), t, v, o.steps(remaining(state)),
                    org.loralab.lora.train.TrainableParams.of(m.getBlock()), null, state);
        }
        synchronized (Lab.class) {
            lastReport = r;
        }
        return r;
    }

    private static long remaining(FitState state) {
        if (state.remainingSteps() == 0) {
            throw new IllegalArgumentException("that checkpoint is the end of its run (step " + state.stepsDone()
                    + " of " + state.plannedSteps() + "): nothing to resume");
        }
        return state.remainingSteps();
    }

    public static synchronized TrainingReport lastReport() {
        return lastReport;
    }

    /** The live view in a kernel, else a one-line stdout progress. */
    public static FitListener liveView() {
        Display d = displayOrNull();
        return d != null ? new LiveTrainingView(d) : new StdoutProgress();
    }

    /** {@code %sweep}: how to build a fresh base model per grid point. */
    public static synchronized void baseModel(Supplier<Model> factory) {
        if (factory == null) {
            throw new IllegalArgumentException("Lab.baseModel: the factory is null; give one that builds a fresh "
                    + "base, e.g. Lab.baseModel(() -> newBase())");
        }
        baseModel = factory;
    }

    /** {@code %sweep}: trains every grid point from a fresh base, with a live progress view; keeps the table. */
    public static Table sweep(List<Sweep.Point> grid, AdapterConfig template, FitOptions options) {
        Supplier<Model> factory = baseModelFactory("%sweep");
        FitOptions o = withCurrentSettings(options).listener(new LiveSweepView(displayOrNull(), grid));
        Table t = Sweep.run(grid, factory, template, trainData(), validationData(), o);
        synchronized (Lab.class) {
            lastSweep = t;
        }
        return t;
    }

    public static synchronized Table lastSweep() {
        return lastSweep;
    }

    /**
     * {@code %search}: runs {@code scheme} ({@code new SuccessiveHalving(...)} or {@code new Hyperband(...)}) over
     * {@code space} on the current data, each trial on its own fresh base from {@link #baseModel(Supplier)} with
     * {@code template} at the trial's r and alpha, trained with {@code options} at the trial's lr; promoted trials
     * continue training. Shows live progress (trial, rung, best so far); keeps and returns the result.
     */
    public static SearchResult search(SearchScheme scheme, SearchSpace space, AdapterConfig template,
            FitOptions options) {
        return search(scheme, space, template, options, false, "final_accuracy");
    }

    /**
     * As above; {@code retrainEachRung} trains every rung from scratch instead of continuing; {@code metric} is
     * "final_accuracy" or "best_accuracy" (see {@link FitRungEvaluator}).
     */
    public static SearchResult search(SearchScheme scheme, SearchSpace space, AdapterConfig template,
            FitOptions options, boolean retrainEachRung, String metric) {
        Supplier<Model> factory = baseModelFactory("%search");
        TensorData t = trainData();
        TensorData v = validationData();
        if (v == null) {
            throw new IllegalStateException("%search ranks trials on a validation set: Lab.data(train, validation)");
        }
        LiveSearchView view = new LiveSearchView(displayOrNull());
        SearchResult r;
        try (FitRungEvaluator eval = new FitRungEvaluator(factory, template, t, v,
                withCurrentSettings(options).listener(view), metric)) {
            if (retrainEachRung) {
                eval.retrainEachRung();
            }
            r = scheme.listener(view).run(space, eval);
        } finally {
            scheme.listener(null);
        }
        synchronized (Lab.class) {
            lastSearch = r;
        }
        return r;
    }

    public static synchronized SearchResult lastSearch() {
        return lastSearch;
    }

    private static Supplier<Model> baseModelFactory(String magic) {
        synchronized (Lab.class) {
            if (baseModel == null) {
                throw new IllegalStateException(magic + " needs a base model factory: Lab.baseModel(() -> "
                        + "buildModel()), e.g. Lab.baseModel(PretrainedBase::loadOrBuild)");
            }
            return baseModel;
        }
    }

    /** {@code options} with the {@code %device} choice when it sets none itself. */
    /** A copy with the devices of {@code %device} and the loss the current data needs (e.g. causal-LM labels). */
    private static FitOptions withCurrentSettings(FitOptions options) {
        FitOptions o = options.copy();
        synchronized (Lab.class) {
            if (devices != null && options.devices() == null) {
                o.devices(devices);
            }
            if (dataLoss != null) {
                o.loss(dataLoss);
            }
        }
        return o;
    }

    // ------------------------------------------------------------------ analysis

    /**
     * {@code %spectrum}: spectra of W, dW and W+dW for every adapted layer whose path equals {@code pathOrPattern} or
     * matches it as a regex (first adapter of each layer unless {@code adapter} is given), by layer path.
     */
    public static Map<String, Map<String, Spectrum>> spectra(String pathOrPattern, String adapter) {
        AdaptedModel m = adapted();
        Pattern p;
        try {
            p = Pattern.compile(pathOrPattern);
        } catch (java.util.regex.PatternSyntaxException e) {
            p = Pattern.compile(Pattern.quote(pathOrPattern));
        }
        Map<String, Map<String, Spectrum>> out = new LinkedHashMap<>();
        List<String> paths = new ArrayList<>();
        for (AdaptedLayerInfo l : m.layers()) {
            if ((adapter == null || adapter.equals(l.adapterName()))
                    && (l.path().equals(pathOrPattern) || p.matcher(l.path()).matches())
                    && !out.containsKey(l.path())) {
                DMatrixRMaj w = Matrices.fromFloats(m.baseWeight(l.path()));
                DMatrixRMaj dw = Matrices.fromFloats(m.deltaWeight(l.path(), l.adapterName()));
                out.put(l.path(), Spectra.ofUpdate(w, dw));
            }
            paths.add(l.path());
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("%spectrum: no adapted layer matches '" + pathOrPattern
                    + "'; adapted layers: " + String.join(", ", new java.util.TreeSet<>(paths)));
        }
        return out;
    }

    // ------------------------------------------------------------------ Hugging Face models (LabModels)

    /**
     * {@code %model load}: loads a Hugging Face model directory (or Hub id) in {@code dtype} ("fp32", "bf16") with
     * its tokenizer, and makes it the current model (closing a model loaded before).
     */
    public static synchronized HfModel loadModel(String dirOrHubId, String dtype) {
        return LabModels.load(dirOrHubId, dtype);
    }

    public static HfModel loadModel(String dirOrHubId) {
        return loadModel(dirOrHubId, "fp32");
    }

    /** The model {@link #loadModel} loaded. */
    public static HfModel hfModel() {
        return LabModels.model();
    }

    /** The loaded model's tokenizer. */
    public static HfTokenizer tokenizer() {
        return LabModels.tokenizer();
    }

    /** {@code %generate}: streams a continuation of {@code prompt} into the cell and returns it. */
    public static String generate(String prompt, GenerationConfig config, boolean chat) {
        return LabModels.generate(prompt, config, chat);
    }

    /** Tokenizes an instruction JSONL file for causal-LM training and makes it the current data. */
    public static TensorData instructionData(Path jsonl, PromptFormat format, int maxLength) {
        return LabModels.instructionData(jsonl, format, maxLength);
    }

    // ------------------------------------------------------------------ output

    /** Routes displays somewhere else (tests, or null for automatic). */
    public static synchronized void setDisplay(Display d) {
        display = d;
    }

    static synchronized Display displayOrNull() {
        if (display != null) {
            return display;
        }
        return NotebookDisplay.available() ? new NotebookDisplay() : null;
    }

    /** Shows a value as the given MIME type in the notebook; outside one, prints its text. */
    public static void show(Object value, String mime) {
        Display d = displayOrNull();
        if (d != null) {
            d.show(value, mime);
        } else if (mime.startsWith("text/")) {
            System.out.println(mime.equals("text/html") ? stripTags(String.valueOf(value)) : value);
        } else {
            System.out.println("[" + mime + " output: shown in a notebook]");
        }
    }

    static String stripTags(String html) {
        return html.replaceAll("<br>|</tr>|</p>", "\n").replaceAll("</t[dh]>", "  ").replaceAll("<[^>]+>", "")
                .replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
                .replace("&amp;", "&");
    }

    /** Version and classpath, as {@code %lab} prints them. */
    public static String about() {
        // the JVM's class path, then the jars the kernel added at run time (LORALAB_CLASSPATH, %maven, %classpath),
        // which live in the class loader that loaded this extension
        java.util.Set<String> entries = new java.util.LinkedHashSet<>(
                java.util.Arrays.asList(System.getProperty("java.class.path", "").split(java.io.File.pathSeparator)));
        if (Lab.class.getClassLoader() instanceof java.net.URLClassLoader loader) {
            for (java.net.URL url : loader.getURLs()) {
                entries.add(url.getPath());
            }
        }
        return "LoRA Lab " + VERSION + " (Java " + System.getProperty("java.version") + ")\nclasspath:\n  "
                + String.join("\n  ", entries);
    }

    /** Forgets everything (tests). Models are not closed (they belong to the caller), except one Lab loaded. */
    public static synchronized void reset() {
        LabModels.reset();
        dataLoss = null;
        model = null;
        adapted = null;
        train = null;
        validation = null;
        lastReport = null;
        lastSweep = null;
        lastSearch = null;
        baseModel = null;
        devices = null;
        display = null;
    }
}
