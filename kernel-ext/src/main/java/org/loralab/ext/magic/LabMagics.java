package org.loralab.ext.magic;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.loralab.ext.Lab;
import org.loralab.ext.render.AdaptedModelHtml;
import org.loralab.ext.render.ChartImages;
import org.loralab.ext.render.Charts;
import org.loralab.ext.render.Html;
import org.loralab.ext.render.TableHtml;
import org.loralab.lora.analysis.Spectra;
import org.loralab.lora.analysis.Spectrum;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.search.Hyperband;
import org.loralab.lora.search.SearchResult;
import org.loralab.lora.search.SearchScheme;
import org.loralab.lora.search.SearchSpace;
import org.loralab.lora.search.SuccessiveHalving;
import org.loralab.lora.train.FitOptions;
import org.loralab.lora.train.OptimizerKind;
import org.loralab.lora.train.Sweep;
import org.loralab.lora.train.TrainingReport;
import tech.tablesaw.api.Table;

/**
 * The magics, each a thin layer over a public Java call ({@link Lab}, the lora library). Every option is parsed and
 * checked before anything is changed, so a bad option leaves the notebook's objects as they were. Results are
 * displayed, so they show the same in every JJava-based kernel; {@code %%train} also returns its report as the cell's
 * value. In a kernel each runs through {@link MagicCall} (one-line errors, no gradient recording).
 */
public final class LabMagics {
    private LabMagics() {}

    static final Set<String> INJECT_KEYS = Options.keys("targets", "r", "alpha", "variant", "dropout", "init",
            "name", "rslora", "bias", "exclude", "modules_to_save", "seed");
    static final Set<String> TRAIN_KEYS = Options.keys("epochs", "steps", "batch_size", "optimizer", "lr",
            "weight_decay", "schedule", "warmup", "clip_norm", "seed", "device", "shuffle", "checkpoint_every",
            "checkpoint_dir", "loraplus_ratio", "loraplus_lr_embedding", "lora_fa", "lorafa", "resume");
    /** The {@code %lora inject} options a sweep or search template takes (r and alpha are what they vary). */
    static final Set<String> TEMPLATE_KEYS = Options.keys("targets", "variant", "dropout", "init", "rslora", "bias",
            "exclude", "modules_to_save", "seed");
    static final Set<String> SWEEP_KEYS = union(union(TRAIN_KEYS, TEMPLATE_KEYS),
            Options.keys("variants", "ranks", "alphas", "lrs"));
    static final Set<String> SEARCH_KEYS = union(union(minus(TRAIN_KEYS, "steps", "epochs", "lr"), TEMPLATE_KEYS),
            Options.keys("ranks", "alphas", "lrs", "lr_range", "scheme", "trials", "eta", "min_steps", "max_steps",
                    "retrain", "metric", "sample_seed"));
    /** Options a search varies or plans itself, with what to give instead. */
    static final Map<String, String> SEARCHED = Map.of("r", "ranks=2,4,8", "alpha", "alphas=8,16",
            "lr", "lrs=1e-3,3e-3 or lr_range=1e-4,1e-2", "steps", "min_steps=10 (and max_steps=...)",
            "epochs", "min_steps=10 (and max_steps=...)", "variants", "variant=NAME (a search tunes one variant)",
            "trial", "trials=9");
    static final Set<String> SPECTRUM_KEYS = Options.keys("adapter", "svg");

    /** Every magic with its usage and the Java call it wraps (see {@link MagicHelpTable}). */
    public static final List<MagicHelp> HELP = MagicHelpTable.HELP;

    /** The convention, as {@code %lab help} states it. */
    public static final String CONVENTION = MagicHelpTable.CONVENTION;

    // ------------------------------------------------------------------ %lora

    public static Object lora(List<String> args) throws Exception {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("%lora: give a sub-command: inject, summary, merge, unmerge, "
                    + "disable, enable, use NAME, save DIR, load DIR");
        }
        String sub = args.get(0).toLowerCase(Locale.ROOT);
        List<String> rest = args.subList(1, args.size());
        switch (sub) {
            case "inject": {
                AdapterConfig cfg = injectConfig(rest);
                AdaptedModel m = Lab.inject(cfg, wordValue(rest, "name", null));
                Lab.show(AdaptedModelHtml.render(m), "text/html");
                return null;
            }
            case "summary":
                noArgs("summary", rest);
                Lab.show(AdaptedModelHtml.render(Lab.adapted()), "text/html");
                return null;
            case "merge":
                noArgs("merge", rest);
                Lab.adapted().merge(true);
                return status("merged: " + String.join(", ", Lab.adapted().activeAdapters()));
            case "unmerge":
                noArgs("unmerge", rest);
                Lab.adapted().unmerge();
                return status("unmerged");
            case "disable":
                noArgs("disable", rest);
                Lab.adapted().disable();
                return status("adapters disabled (base model only); %lora enable to turn them back on");
            case "enable":
                noArgs("enable", rest);
                Lab.adapted().enable();
                return status("adapters enabled: " + String.join(", ", Lab.adapted().activeAdapters()));
            case "use": {
                String name = single("use NAME", rest);
                AdaptedModel m = Lab.adapted();
                if (!m.adapterNames().contains(name)) {
                    throw new IllegalArgumentException("%lora: no adapter '" + name + "'; adapters: "
                            + String.join(", ", m.adapterNames()));
                }
                m.setActive(name);
                return status("active adapter: " + name);
            }
            case "save": {
                if (rest.isEmpty()) {
                    throw new IllegalArgumentException("%lora: save needs a directory: %lora save DIR [name=NAME]");
                }
                Options o = Options.ofWords("%lora", rest.subList(1, rest.size()), Options.keys("name"));
                String name = o.string("name", AdaptedModel.DEFAULT);
                Lab.adapted().save(Path.of(rest.get(0)), name);
                return status("saved adapter '" + name + "' to " + rest.get(0));
            }
            case "load": {
                if (rest.isEmpty()) {
                    throw new IllegalArgumentException("%lora: load needs a directory: %lora load DIR name=NAME");
                }
                Options o = Options.ofWords("%lora", rest.subList(1, rest.size()), Options.keys("name"));
                String name = o.string("name", "loaded");
                Lab.adapted().load(Path.of(rest.get(0)), name);
                return status("loaded adapter '" + name + "' from " + rest.get(0));
            }
            default: {
                Set<String> subs = Options.keys("inject", "summary", "merge", "unmerge", "disable", "enable", "use",
                        "save", "load");
                String near = Options.nearest(sub, subs);
                throw new IllegalArgumentException("%lora: unknown sub-command '" + args.get(0) + "'"
                        + (near == null ? "; use one of " + String.join(", ", new java.util.TreeSet<>(subs))
                                : " (did you mean '" + near + "'?)"));
            }
        }
    }

    /** {@code %lora inject} words to a config: common keys plus the chosen variant's own options, all checked. */
    static AdapterConfig injectConfig(List<String> words) {
        var variant = VariantOptions.variant("%lora", wordValue(words, "variant", "lora"));
        AdapterConfig.Builder own = AdapterConfig.builder();
        List<String> common = VariantOptions.split("%lora", words, INJECT_KEYS, variant, own);
        Options o = Options.ofWords("%lora", common, INJECT_KEYS);
        AdapterConfig.Builder b = adapterConfig(o, "%lora");
        own.build().options().forEach(b::option);
        return b.build();
    }

    static AdapterConfig.Builder adapterConfig(Options o, String magic) {
        AdapterConfig.Builder b = AdapterConfig.builder();
        if (o.has("targets")) {
            b.targetModules(o.list("targets", null));
        }
        if (o.has("r")) {
            b.r(o.integer("r", 8));
        }
        if (o.has("alpha")) {
            b.alpha(o.number("alpha", 8));
        }
        if (o.has("variant")) {
            b.variant(o.string("variant", "lora"));
        }
        if (o.has("dropout")) {
            b.dropout(o.number("dropout", 0));
        }
        if (o.has("init")) {
            b.init(o.string("init", "true"));
        }
        if (o.has("rslora")) {
            b.useRslora(o.flag("rslora", false));
        }
        if (o.has("bias")) {
            b.bias(o.string("bias", "none"));
        }
        if (o.has("exclude")) {
            b.excludeModules(o.list("exclude", null).toArray(String[]::new));
        }
        if (o.has("modules_to_save")) {
            b.modulesToSave(o.list("modules_to_save", null));
        }
        if (o.has("seed")) {
            b.seed(o.longValue("seed", 0));
        }
        return b;
    }

    // ------------------------------------------------------------------ %%train

    public static Object train(List<String> args, String body) {
        Options o = Options.ofLines("%%train", (String.join("\n", args) + "\n" + (body == null ? "" : body)),
                TRAIN_KEYS);
        // the report is the cell's value (status, epoch table, loss and accuracy chart); also Lab.lastReport()
        FitOptions fit = fitOptions(o, "%%train");
        if (o.has("resume")) {
            if (o.has("steps") || o.has("epochs")) {
                throw new IllegalArgumentException("%%train: resume trains the steps its checkpoint's run had left; "
                        + "drop steps/epochs");
            }
            return Lab.resume(Path.of(o.string("resume", "")), fit);
        }
        return Lab.train(fit);
    }

    static FitOptions fitOptions(Options o, String magic) {
        FitOptions f = FitOptions.defaults();
        if (o.has("epochs")) {
            f.epochs(o.integer("epochs", 1));
        }
        if (o.has("steps")) {
            f.steps(fastSteps(o.longValue("steps", 0)));
        }
        if (o.has("batch_size")) {
            f.batchSize(o.integer("batch_size", 32));
        }
        if (o.has("optimizer")) {
            f.optimizer(OptimizerKind.parse(o.string("optimizer", "adamw")));
        }
        if (o.has("lr")) {
            f.lr(o.number("lr", 1e-3));
        }
        if (o.has("weight_decay")) {
            f.weightDecay(o.number("weight_decay", 0));
        }
        if (o.has("schedule")) {
            f.schedule(o.string("schedule", "constant"));
        }
        if (o.has("warmup")) {
            f.warmupSteps(o.longValue("warmup", 0));
        }
        if (o.has("clip_norm")) {
            f.clipNorm(o.number("clip_norm", 0));
        }
        if (o.has("seed")) {
            f.seed(o.longValue("seed", 42));
        }
        if (o.has("device")) {
            f.devices(org.loralab.lora.train.Devices.parse(o.string("device", "auto")));
        }
        if (o.has("shuffle")) {
            f.shuffle(o.flag("shuffle", true));
        }
        if (o.has("checkpoint_every")) {
            f.checkpoints(o.longValue("checkpoint_every", 0), Path.of(o.string("checkpoint_dir", "checkpoints")));
        }
        if (o.has("loraplus_ratio")) {
            f.loraPlus(o.number("loraplus_ratio", Double.NaN));
        }
        if (o.has("loraplus_lr_embedding")) {
            f.loraPlusEmbeddingLr(o.number("loraplus_lr_embedding", 1e-6));
        }
        if (o.flag("lora_fa", false) || o.flag("lorafa", false)) {
            if (o.has("loraplus_ratio")) {
                throw new IllegalArgumentException(magic + ": choose loraplus_ratio or lora_fa, not both");
            }
            f.loraFa();
        }
        return f;
    }

    /** LORALAB_FAST=1 shrinks step counts (never other options), so notebooks run quickly in tests. */
    static long fastSteps(long steps) {
        return org.loralab.lora.data.FastMode.limit(steps, Math.min(steps, 20));
    }

    // ------------------------------------------------------------------ %device

    public static Object device(List<String> args) {
        if (args.size() > 1) {
            throw new IllegalArgumentException("%device: give at most one of auto, cpu, gpu, gpuN");
        }
        Device[] d = args.isEmpty() ? Lab.devices() : Lab.devices(args.get(0));
        Engine e = Engine.getInstance();
        return status(String.format(Locale.ROOT, "engine %s %s; GPUs reported: %d; default device %s; "
                        + "training on: %s", e.getEngineName(), e.getVersion(), e.getGpuCount(),
                e.defaultDevice(), org.loralab.lora.train.Devices.describe(d)));
    }

    // ------------------------------------------------------------------ %spectrum

    public static Object spectrum(List<String> args) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("%spectrum: give a layer path or regex, e.g. %spectrum .*query");
        }
        Options o = Options.ofWords("%spectrum", args.subList(1, args.size()), SPECTRUM_KEYS);
        boolean svg = o.flag("svg", false);
        Map<String, Map<String, Spectrum>> all = Lab.spectra(args.get(0), o.string("adapter", null));
        for (Map.Entry<String, Map<String, Spectrum>> e : all.entrySet()) {
            var chart = Charts.spectrum("singular values: " + e.getKey(), e.getValue());
            if (svg) {
                Lab.show(ChartImages.svg(chart), "image/svg+xml");
            } else {
                Lab.show(ChartImages.image(chart), "image/png");
            }
            Lab.show(TableHtml.render(Spectra.summary(e.getKey(), e.getValue(), 8)), "text/html");
        }
        return null;
    }

    // ------------------------------------------------------------------ %sweep

    public static Object sweep(List<String> args) {
        SweepCall call = sweepCall(args);
        Table t = Lab.sweep(call.grid(), call.template(), call.options());
        Lab.show(TableHtml.render(t), "text/html");
        Lab.show(ChartImages.image(Charts.rankVsAccuracy(t, "best_accuracy")), "image/png");
        return null;
    }

    /** What {@code %sweep} runs: every option parsed and checked before anything trains. */
    record SweepCall(List<Sweep.Point> grid, AdapterConfig template, FitOptions options) {}

    static SweepCall sweepCall(List<String> args) {
        String variants = wordValue(args, "variants", null);
        String variant = wordValue(args, "variant", null);
        if (variants != null && variant != null) {
            throw new IllegalArgumentException("%sweep: give variant=NAME or variants=A,B, not both");
        }
        List<String> names = new java.util.ArrayList<>();
        for (String v : (variants != null ? variants : variant != null ? variant : "lora").split(",")) {
            if (!v.isBlank()) {
                names.add(VariantOptions.variant("%sweep", v.strip()).name());
            }
        }
        // a variant's own options must be known to every swept variant; they go on the one template
        AdapterConfig.Builder own = AdapterConfig.builder();
        List<String> common = args;
        for (int i = 0; i < names.size(); i++) {
            common = VariantOptions.split("%sweep", args, SWEEP_KEYS, VariantOptions.variant("%sweep", names.get(i)),
                    i == 0 ? own : AdapterConfig.builder());
        }
        Options o = Options.ofWords("%sweep", common, SWEEP_KEYS);
        List<Sweep.Point> grid = Sweep.grid(names, o.integers("ranks", List.of(8)),
                o.numbers("alphas", List.of(16.0)), o.numbers("lrs", List.of(1e-3)));
        AdapterConfig.Builder template = adapterConfig(o, "%sweep").variant(names.get(0));
        own.build().options().forEach(template::option);
        return new SweepCall(grid, template.build(), fitOptions(o, "%sweep"));
    }

    // ------------------------------------------------------------------ %search

    public static Object search(List<String> args) {
        SearchCall call = searchCall(args);
        SearchResult r = Lab.search(call.scheme(), call.space(), call.template(), call.options(), call.retrain(),
                call.metric());
        Lab.show(TableHtml.render(r.trials(), 200), "text/html");
        Lab.show(ChartImages.image(Charts.search(r.trials(), r.chosen().id())), "image/png");
        return status(r.toString());
    }

    /** What {@code %search} runs: every option parsed and checked before anything trains. */
    record SearchCall(SearchScheme scheme, SearchSpace space, AdapterConfig template, FitOptions options,
            boolean retrain, String metric) {}

    static SearchCall searchCall(List<String> args) {
        for (String w : args) {
            int eq = w.indexOf('=');
            String key = (eq > 0 ? w.substring(0, eq) : w).strip().toLowerCase(Locale.ROOT);
            if (SEARCHED.containsKey(key)) {
                throw new IllegalArgumentException("%search: '" + key + "' is what the search chooses or plans; give "
                        + SEARCHED.get(key) + " instead");
            }
        }
        var variant = VariantOptions.variant("%search", wordValue(args, "variant", "lora"));
        AdapterConfig.Builder own = AdapterConfig.builder();
        List<String> common = VariantOptions.split("%search", args, SEARCH_KEYS, variant, own);
        Options o = Options.ofWords("%search", common, SEARCH_KEYS);
        SearchSpace space = SearchSpace.of(o.integers("ranks", List.of(2, 4, 8, 16)),
                o.numbers("alphas", List.of(8.0, 16.0, 32.0)));
        if (o.has("lrs") && o.has("lr_range")) {
            throw new IllegalArgumentException("%search: give lrs=A,B,C (a list) or lr_range=MIN,MAX (log-uniform), "
                    + "not both");
        }
        if (o.has("lrs")) {
            space = space.lrs(o.numbers("lrs", null));
        } else {
            List<Double> range = o.numbers("lr_range", List.of(1e-4, 1e-2));
            if (range.size() != 2) {
                throw new IllegalArgumentException("%search: lr_range takes two numbers, MIN,MAX (e.g. 1e-4,1e-2)");
            }
            space = space.logUniformLr(range.get(0), range.get(1));
        }
        String schemeName = o.string("scheme", "sh").toLowerCase(Locale.ROOT);
        int eta = o.integer("eta", 3);
        long minSteps = o.longValue("min_steps", 10);
        long seed = o.longValue("sample_seed", 0);
        SearchScheme scheme;
        switch (schemeName) {
            case "sh":
            case "successive_halving":
            case "halving": {
                SuccessiveHalving sh = new SuccessiveHalving(o.integer("trials", 9), eta, minSteps, seed);
                if (o.has("max_steps")) {
                    sh.maxSteps(o.longValue("max_steps", 0));
                }
                scheme = sh;
                break;
            }
            case "hyperband":
            case "hb":
                if (o.has("trials")) {
                    throw new IllegalArgumentException("%search: Hyperband sets each bracket's trial count from "
                            + "min_steps, max_steps and eta; drop trials=, or use scheme=sh");
                }
                scheme = new Hyperband(minSteps, o.longValue("max_steps", minSteps * eta * eta), eta, seed);
                break;
            default:
                throw new IllegalArgumentException("%search: unknown scheme '" + schemeName
                        + "'; use scheme=sh (successive halving) or scheme=hyperband");
        }
        String metric = o.string("metric", "final_accuracy");
        if (!metric.equals("final_accuracy") && !metric.equals("best_accuracy")) {
            throw new IllegalArgumentException("%search: metric must be final_accuracy or best_accuracy, got "
                    + metric);
        }
        AdapterConfig.Builder template = adapterConfig(o, "%search").variant(variant.name());
        own.build().options().forEach(template::option);
        return new SearchCall(scheme, space, template.build(), fitOptions(o, "%search"), o.flag("retrain", false),
                metric);
    }

    // ------------------------------------------------------------------ %lab

    public static Object lab(List<String> args) {
        if (args.isEmpty()) {
            System.out.println(Lab.about());
            return null;
        }
        if (args.size() == 1 && args.get(0).equals("help")) {
            Lab.show(MagicHelpTable.html(), "text/html");
            return null;
        }
        if (args.size() == 1 && args.get(0).equals("variants")) {
            Lab.show(TableHtml.render(VariantHelp.variantsTable(), 100), "text/html");
            return null;
        }
        throw new IllegalArgumentException("%lab: use %lab (version and classpath), %lab help or %lab variants");
    }

    public static Table helpTable() {
        return MagicHelpTable.table();
    }

    // ------------------------------------------------------------------ helpers

    private static Object status(String text) {
        Lab.show("<p>" + Html.escape(text) + "</p>", "text/html");
        return null;
    }

    private static void noArgs(String sub, List<String> rest) {
        if (!rest.isEmpty()) {
            throw new IllegalArgumentException("%lora: " + sub + " takes no options, got " + rest);
        }
    }

    private static String single(String usage, List<String> rest) {
        if (rest.size() != 1) {
            throw new IllegalArgumentException("%lora: usage: %lora " + usage);
        }
        return rest.get(0);
    }

    /** The value of the last {@code key=value} word, or {@code def}. */
    private static String wordValue(List<String> words, String key, String def) {
        String v = def;
        for (String w : words) {
            if (w.strip().toLowerCase(Locale.ROOT).startsWith(key + "=")) {
                v = w.strip().substring(key.length() + 1).strip();
            }
        }
        return v;
    }

    private static Set<String> minus(Set<String> a, String... drop) {
        java.util.Set<String> s = new java.util.HashSet<>(a);
        s.removeAll(java.util.Arrays.asList(drop));
        return Set.copyOf(s);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        java.util.Set<String> s = new java.util.HashSet<>(a);
        s.addAll(b);
        return Set.copyOf(s);
    }
}
