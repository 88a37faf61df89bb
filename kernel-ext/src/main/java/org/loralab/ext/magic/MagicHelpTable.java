package org.loralab.ext.magic;

import java.util.List;
import org.loralab.ext.render.Html;
import org.loralab.ext.render.TableHtml;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** What {@code %lab help} shows: the convention, every magic with its usage and the Java call it wraps. */
final class MagicHelpTable {
    private MagicHelpTable() {}

    static final List<MagicHelp> HELP = List.of(
            new MagicHelp("%lora inject", "%lora inject targets=a,b r=8 alpha=16 [variant=lora dropout=0.0 "
                    + "init=true name=NAME rslora=false + the variant's options, see the variants table]",
                    "Lab.inject(AdapterConfig.builder().variant(V).option(KEY, VALUE)...build())"),
            new MagicHelp("%lora summary", "%lora summary", "Lab.adapted() (renders as a table); .layers()"),
            new MagicHelp("%lora merge", "%lora merge", "Lab.adapted().merge(true)"),
            new MagicHelp("%lora unmerge", "%lora unmerge", "Lab.adapted().unmerge()"),
            new MagicHelp("%lora disable", "%lora disable", "Lab.adapted().disable()"),
            new MagicHelp("%lora enable", "%lora enable", "Lab.adapted().enable()"),
            new MagicHelp("%lora use", "%lora use NAME", "Lab.adapted().setActive(NAME)"),
            new MagicHelp("%lora save", "%lora save DIR [name=default]", "Lab.adapted().save(Path.of(DIR), NAME)"),
            new MagicHelp("%lora load", "%lora load DIR name=NAME", "Lab.adapted().load(Path.of(DIR), NAME)"),
            new MagicHelp("%%train", "%%train + one 'key: value' per line: epochs steps batch_size optimizer lr "
                    + "weight_decay schedule warmup clip_norm seed device shuffle checkpoint_every checkpoint_dir "
                    + "loraplus_ratio lora_fa resume (a checkpoint to continue)", "Lab.train(FitOptions.defaults().epochs(3).lr(1e-3)...)"
                    + " or Fit.fit(model, train, validation, options)"),
            new MagicHelp("%device", "%device [auto|cpu|gpu|gpuN]", "Lab.devices(\"auto\"); Devices.engineDefault()"),
            new MagicHelp("%spectrum", "%spectrum PATH_OR_REGEX [adapter=NAME svg=false]",
                    "Lab.spectra(path, adapter); Spectra.ofUpdate(W, dW); Charts.spectrum(...)"),
            new MagicHelp("%sweep", "%sweep variants=lora ranks=2,4,8 alphas=16 lrs=1e-3 [variant=NAME + its "
                    + "options, targets=... + any other %lora inject option but r, alpha, name + any %%train option]",
                    "Lab.sweep(Sweep.grid(...), template, options); Sweep.run(...)"),
            new MagicHelp("%search", "%search ranks=2,4,8 alphas=8,16 lr_range=1e-4,1e-2 [lrs=LIST scheme=sh|"
                    + "hyperband trials=9 eta=3 min_steps=10 max_steps=N retrain=false metric=final_accuracy|"
                    + "best_accuracy sample_seed=0 + %lora inject options (variant=NAME and its options, targets=...) "
                    + "+ %%train options but steps, epochs, lr]",
                    "Lab.search(new SuccessiveHalving(trials, eta, minSteps, seed), SearchSpace.of(ranks, alphas)"
                    + ".logUniformLr(lo, hi), template, options); new Hyperband(minSteps, maxSteps, eta, seed)"),
            new MagicHelp("%lab", "%lab | %lab help", "Lab.about()"),
            new MagicHelp("%lab variants", "%lab variants", "VariantHelp.variantsTable(); VariantRegistry.names()"));

    static final String CONVENTION = "The magics act on the current model, Lab.current(): set it with "
            + "Lab.use(model) (a DJL Model) or Lab.use(adaptedModel); %lora inject replaces it with the adapted "
            + "model. Training data: Lab.data(train, validation) or Lab.syntheticData(train, val, features, "
            + "classes, seed). %sweep and %search build a fresh base per point or trial with Lab.baseModel(() -> "
            + "...). The last results: Lab.lastReport(), Lab.lastSweep(), Lab.lastSearch().";

    static Table table() {
        StringColumn magic = StringColumn.create("magic");
        StringColumn usage = StringColumn.create("usage");
        StringColumn call = StringColumn.create("java");
        for (MagicHelp h : MagicHelp.all()) {
            magic.append(h.magic());
            usage.append(h.usage());
            call.append(h.javaCall());
        }
        return Table.create("LoRA Lab magics", magic, usage, call);
    }

    static String html() {
        return "<div class=\"loralab-help\"><p>" + Html.escape(CONVENTION) + "</p>"
                + TableHtml.render(table(), 100) + TableHtml.render(VariantHelp.variantsTable(), 100)
                + TableHtml.render(VariantHelp.trainingTable(), 100) + "</div>";
    }
}
