package org.loralab.lora.inject;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.config.Bias;
import org.loralab.lora.config.LoraInit;
import org.loralab.lora.config.TargetMatcher;
import org.loralab.lora.config.TargetModules;
import org.loralab.lora.io.AdapterFiles;
import org.loralab.lora.train.GradMode;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.BaseLayer;
import org.loralab.lora.variant.LayerAdapter;
import org.loralab.lora.variant.LayerKind;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.ModelScope;
import org.loralab.lora.variant.ParamRole;
import org.loralab.lora.variant.ParamSource;
import org.loralab.lora.variant.SharedState;
import org.loralab.lora.variant.StepInfo;
import org.loralab.lora.variant.TrainingHooks;
import org.loralab.lora.variant.Variant;
import org.loralab.lora.variant.VariantRegistry;
import org.loralab.lora.variant.lora.Matrices;

/** The {@link AdaptedModel} implementation: owns the wrappers it put into the tree. */
final class AdaptedModelImpl implements AdaptedModel {
    private final Model model;
    private Block root;
    private final AdapterState state = new AdapterState();
    private final Map<String, AdapterConfig> configs = new LinkedHashMap<>();
    private final Map<String, SharedState> shared = new LinkedHashMap<>();
    private final Map<String, AdaptedLayer> layers = new LinkedHashMap<>();
    private final Map<String, ModulesToSaveBlock> saved = new LinkedHashMap<>();
    private final Map<Block, WeightPathBlock> weightWrappers = new IdentityHashMap<>();
    private final Map<Parameter, Boolean> originalTrainable = new IdentityHashMap<>();
    private final List<String> warnings = new ArrayList<>();

    AdaptedModelImpl(Model model, Block root) {
        this.model = model;
        this.root = root;
        clearWasLoaded(model);
        for (Pair<String, Parameter> p : root.getParameters()) {
            originalTrainable.put(p.getValue(), p.getValue().requiresGradient());
        }
    }

    // ------------------------------------------------------------------ injection

    @Override
    public void addAdapter(String name, AdapterConfig config) {
        addAdapter(name, config, false);
    }

    @Override
    public void addAdapterForLoading(String name, AdapterConfig config) {
        addAdapter(name, config, true);
    }

    void addAdapter(String name, AdapterConfig config, boolean forLoading) {
        GradMode.off(() -> injectAdapter(name, config, forLoading));
    }

    private void injectAdapter(String name, AdapterConfig config, boolean forLoading) {
        checkName(name);
        Variant variant = VariantRegistry.get(config.variant());
        variant.validate(config);
        TargetModules targets = config.targetModules();
        if (targets == null) {
            throw new IllegalArgumentException("targetModules is required (there are no per-model defaults), "
                    + "e.g. AdapterConfig.builder().targetModules(\"query\", \"value\")");
        }
        List<BlockPaths.Node> nodes = BlockPaths.walk(root);
        Map<Block, BlockPaths.Node> byBlock = new IdentityHashMap<>();
        List<String> allPaths = new ArrayList<>();
        for (BlockPaths.Node n : nodes) {
            byBlock.put(n.block(), n);
            allPaths.add(n.path());
        }
        TargetMatcher matcher = new TargetMatcher(config);
        Map<String, BlockPaths.Node> hits = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (BlockPaths.Node n : nodes) {
            if (n.path().isEmpty()) {
                continue;
            }
            LayerKind kind = DjlBaseLayer.kindOf(n.block());
            if (!matcher.isTarget(n.path(), kind == LayerKind.LINEAR)) {
                continue;
            }
            if (kind == null) {
                if (!targets.isAllLinear()) {
                    problems.add("'" + n.path() + "' is a " + n.block().getClass().getSimpleName());
                }
                continue;
            }
            if (!variant.supportedKinds().contains(kind)) {
                problems.add("'" + n.path() + "' is " + kind + ", which " + variant.name() + " does not support");
                continue;
            }
            AdaptedLayer existing = layers.get(n.path());
            if (existing != null && existing.adapters.containsKey(name)) {
                throw new IllegalArgumentException("adapter '" + name + "' is already injected into '" + n.path()
                        + "'; delete it first or use another adapter name");
            }
            hits.put(n.path(), n);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("targetModules " + targets + " matched modules " + variant.name()
                    + " cannot wrap: " + String.join("; ", problems)
                    + ". Narrow targetModules to the layer kinds " + variant.name() + " supports: "
                    + variant.supportedKinds());
        }
        if (hits.isEmpty()) {
            String wanted = targets.isRegex() ? targets.regexSource() : targets.names().get(0);
            throw new IllegalArgumentException("Target modules " + targets + " not found in the model. Nearest names: "
                    + TargetMatcher.nearest(wanted, allPaths, 5) + ". Paths are dotted, e.g. 'encoder.layer.0.attention.query'; "
                    + "list entries match a whole path or a '.name' suffix, a single string is a full-match regex");
        }
        List<String> unmatched = TargetMatcher.unmatchedEntries(targets, hits.keySet());
        for (String u : unmatched) {
            warnings.add("target module '" + u + "' of adapter '" + name + "' matched nothing; nearest: "
                    + TargetMatcher.nearest(u, allPaths, 3));
        }

        checkModulesToSave(config, nodes);

        Random rnd = config.seed() != null ? new Random(config.seed()) : new Random();
        AdapterConfig effective = forLoading ? config.toBuilder().init(LoraInit.NONE).build() : config;
        Map<String, BaseLayer> bases = new LinkedHashMap<>();
        for (Map.Entry<String, BlockPaths.Node> e : hits.entrySet()) {
            AdaptedLayer l = layers.get(e.getKey());
            bases.put(e.getKey(), l != null ? l.base : DjlBaseLayer.of(e.getValue().block(), e.getKey()));
        }
        boolean touchesBase = !forLoading && !Set.of("true", "false", "gaussian").contains(config.init().family());
        Map<String, NDArray> backup = new LinkedHashMap<>();
        Map<String, float[][]> sourcedBackup = new LinkedHashMap<>();
        if (touchesBase) {
            for (Map.Entry<String, BaseLayer> e : bases.entrySet()) {
                if (e.getValue().weightSource() != null) {
                    sourcedBackup.put(e.getKey(), e.getValue().weightMatrix());
                } else {
                    backup.put(e.getKey(), e.getValue().weight().getArray().duplicate());
                }
            }
        }
        configs.put(name, config);
        Map<String, LayerAdapter> created = new LinkedHashMap<>();
        try {
            SharedState st = variant.createSharedState(new ModelScope(name, effective, Collections.unmodifiableMap(bases), rnd));
            shared.put(name, st);
            for (Map.Entry<String, BlockPaths.Node> e : hits.entrySet()) {
                String path = e.getKey();
                BaseLayer base = bases.get(path);
                LayerSpec spec = new LayerSpec(path, name, effective, base, config.rankFor(path), config.alphaFor(path), rnd);
                LayerAdapter la = variant.createLayer(spec, st);
                AdaptedLayer layer = layers.get(path);
                if (layer == null) {
                    layer = install(e.getValue(), (DjlBaseLayer) base, byBlock);
                }
                layer.adapters.put(name, la);
                registerParams(layer, name, la);
                created.put(path, la);
                if (AdaptedLayer.WEIGHT.equals(layer.mechanism) && !la.weightPathExact()) {
                    warnings.add("'" + path + "' is reached through the weight path (its parent keeps it in a typed field): "
                            + "lora_dropout is not applied there");
                }
            }
            st.layersCreated(Collections.unmodifiableMap(created));
            addModulesToSave(name, config, nodes);
            applyTrainability();
        } catch (RuntimeException ex) {
            removeAdapter(name);
            for (Map.Entry<String, NDArray> b : backup.entrySet()) {
                bases.get(b.getKey()).weight().getArray().set(b.getValue().toByteBuffer());
            }
            sourcedBackup.forEach((path, w) -> bases.get(path).setWeightMatrix(w));
            applyTrainability();
            throw ex;
        } finally {
            for (NDArray b : backup.values()) {
                b.close();
            }
        }
    }

    private void checkName(String name) {
        if (name == null || name.isBlank() || name.contains(".")) {
            throw new IllegalArgumentException("adapter name must be non-empty without dots, got '" + name + "'");
        }
        if (configs.containsKey(name)) {
            throw new IllegalArgumentException("adapter '" + name + "' already exists; delete it first or use another name");
        }
    }

    private AdaptedLayer install(BlockPaths.Node n, DjlBaseLayer base, Map<Block, BlockPaths.Node> byBlock) {
        Block parent = n.parent();
        ActivationWrapper aw = activationWrapper(n, base);
        if (aw != null) {
            AdaptedLayer layer = new AdaptedLayer(n.path(), base, state, AdaptedLayer.ACTIVATION, (Block) aw);
            aw.bind(layer);
            if (parent == null) {
                setRoot((Block) aw);
            } else {
                Reflect.replace(parent, n.holder(), (Block) aw);
            }
            layers.put(n.path(), layer);
            return layer;
        }
        // weight path: wrap the nearest ancestor that can be replaced (or the root)
        BlockPaths.Node anc = byBlock.get(parent);
        while (anc.parent() != null
                && !(Reflect.children(anc.parent()) != null
                        && (anc.holder() instanceof WeightPathBlock
                                || Reflect.canReplace(anc.parent(), anc.holder(), WeightPathBlock.class)))) {
            anc = byBlock.get(anc.parent());
        }
        WeightPathBlock wp = weightWrappers.get(anc.block());
        if (wp == null) {
            wp = new WeightPathBlock(anc.block());
            weightWrappers.put(anc.block(), wp);
            if (anc.parent() == null) {
                setRoot(wp);
            } else {
                Reflect.replace(anc.parent(), anc.holder(), wp);
            }
        }
        AdaptedLayer layer = new AdaptedLayer(n.path(), base, state, AdaptedLayer.WEIGHT, wp);
        wp.layers.put(base.weight(), layer);
        if (base.bias() != null) {
            wp.biases.put(base.bias(), layer);
        }
        layers.put(n.path(), layer);
        return layer;
    }

    /**
     * The activation wrapper that fits every slot holding the layer: a plain AdapterBlock for
     * Block-typed slots, a Linear/Conv2d subclass for slots typed Linear/Conv2d; null when none fits.
     */
    private static ActivationWrapper activationWrapper(BlockPaths.Node n, DjlBaseLayer base) {
        Block parent = n.parent();
        Block b = n.block();
        if (parent == null || Reflect.children(parent) != null && Reflect.canReplace(parent, n.holder(), AdapterBlock.class)) {
            return new AdapterBlock(b);
        }
        if (Reflect.children(parent) == null) {
            return null;
        }
        if (b instanceof ai.djl.nn.core.Linear && Reflect.canReplace(parent, n.holder(), LinearAdapterBlock.class)) {
            return new LinearAdapterBlock((ai.djl.nn.core.Linear) b, base.outFeatures(), base.bias() != null);
        }
        if (b instanceof ai.djl.nn.convolutional.Conv2d && Reflect.canReplace(parent, n.holder(), Conv2dAdapterBlock.class)) {
            return new Conv2dAdapterBlock((ai.djl.nn.convolutional.Conv2d) b);
        }
        return null;
    }

    private void registerParams(AdaptedLayer layer, String name, LayerAdapter la) {
        if (layer.holder instanceof ActivationWrapper) {
            ((ActivationWrapper) layer.holder).addParams(name, la.parameters());
        } else {
            ((WeightPathBlock) layer.holder).addParams(layer.path, name, la.parameters());
        }
    }

    private void addModulesToSave(String name, AdapterConfig config, List<BlockPaths.Node> nodes) {
        if (config.modulesToSave().isEmpty()) {
            return;
        }
        TargetMatcher matcher = new TargetMatcher(config);
        List<String> found = new ArrayList<>();
        for (BlockPaths.Node n : nodes) {
            if (n.path().isEmpty() || !matcher.isModuleToSaveRoot(n.path()) || insideSaved(n.path(), found)) {
                continue;
            }
            ModulesToSaveBlock w = saved.get(n.path());
            if (w == null) {
                w = new ModulesToSaveBlock(n.block(), state);
                Reflect.replace(n.parent(), n.holder(), w);
                saved.put(n.path(), w);
            }
            w.addCopy(name);
            found.add(n.path());
        }
        for (String entry : config.modulesToSave()) {
            boolean any = found.stream().anyMatch(p -> TargetModules.matchesEntry(p, entry));
            if (!any) {
                warnings.add("modules_to_save entry '" + entry + "' of adapter '" + name + "' matched nothing");
            }
        }
    }

    /**
     * Rejects, before anything changes, a {@code modules_to_save} module its parent cannot let a wrapper replace, or
     * one that another adapter already adapts (PEFT
     * raises "modules_to_save cannot be applied to modules of type" a tuner layer; here the saved copy would replace
     * the adapter's wrapper) or that contains a layer whose base weight a weight source holds (QLoRA): its copy would
     * clone the released Parameter, and the copy's wrapper would still run the original quantised base. Within one
     * config, modules_to_save wins over targetModules (TargetMatcher), as in PEFT, so only earlier adapters count.
     */
    private void checkModulesToSave(AdapterConfig config, List<BlockPaths.Node> nodes) {
        if (config.modulesToSave().isEmpty()) {
            return;
        }
        TargetMatcher matcher = new TargetMatcher(config);
        List<String> roots = new ArrayList<>();
        for (BlockPaths.Node n : nodes) {
            String p = n.path();
            if (p.isEmpty() || !matcher.isModuleToSaveRoot(p) || insideSaved(p, roots)) {
                continue;
            }
            roots.add(p);
            if (!saved.containsKey(p) && (Reflect.children(n.parent()) == null
                    || !Reflect.canReplace(n.parent(), n.holder(), ModulesToSaveBlock.class))) {
                // found now, not after the adapter's layers changed their bases (QLoRA quantises them)
                throw new IllegalArgumentException("modules_to_save '" + p + "' cannot be wrapped: its parent "
                        + n.parent().getClass().getSimpleName() + " holds it in a field or list typed for "
                        + n.block().getClass().getSimpleName() + "; save its parent or a module held as a Block");
            }
            AdaptedLayer same = layers.get(p);
            if (same != null) {
                throw new IllegalArgumentException("modules_to_save '" + p + "' is a layer that adapter(s) "
                        + same.adapters.keySet() + " adapt; a module cannot be both adapted and saved whole (PEFT "
                        + "refuses it too): remove '" + p + "' from modulesToSave, or delete those adapters first");
            }
            for (AdaptedLayer l : layers.values()) {
                if (l.path.startsWith(p + ".") && l.base.weightSource() != null) {
                    throw new IllegalArgumentException(quantisedInside(p, l.path));
                }
            }
        }
    }

    private static String quantisedInside(String saved, String layer) {
        return "modules_to_save '" + saved + "' contains '" + layer + "', whose base weight is held quantised (QLoRA): "
                + "a trainable dense copy of it cannot be made; save a smaller module, or delete the QLoRA adapters "
                + "of '" + layer + "' first";
    }

    private static boolean insideSaved(String path, List<String> found) {
        for (String f : found) {
            if (path.startsWith(f + ".")) {
                return true;
            }
        }
        return false;
    }

    private void setRoot(Block b) {
        root = b;
        if (model != null) {
            model.setBlock(b);
        }
    }

    /** Frozen base; active adapters, their saved copies and biases per {@code bias} train. */
    private void applyTrainability() {
        for (Pair<String, Parameter> p : root.getParameters()) {
            p.getValue().freeze(true);
        }
        for (AdaptedLayer layer : layers.values()) {
            for (Map.Entry<String, LayerAdapter> e : layer.adapters.entrySet()) {
                boolean active = state.active.contains(e.getKey());
                for (AdapterParam p : e.getValue().parameters()) {
                    p.parameter().freeze(!(active && p.trainable()));
                }
            }
        }
        for (Map.Entry<String, SharedState> e : shared.entrySet()) {
            boolean active = state.active.contains(e.getKey());
            for (AdapterParam p : e.getValue().sharedParameters()) {
                p.parameter().freeze(!(active && p.trainable()));
            }
        }
        for (ModulesToSaveBlock w : saved.values()) {
            for (Map.Entry<String, Block> c : w.copies.entrySet()) {
                boolean active = state.active.contains(c.getKey());
                for (Pair<String, Parameter> p : c.getValue().getParameters()) {
                    if (!isRunningStat(p.getValue())) {
                        p.getValue().freeze(!active);
                    }
                }
            }
        }
        for (String a : state.active) {
            Bias bias = configs.get(a).bias();
            if (bias == Bias.ALL) {
                for (Parameter p : baseBiases()) {
                    p.freeze(false);
                }
            } else if (bias == Bias.LORA_ONLY) {
                for (AdaptedLayer layer : layers.values()) {
                    if (layer.adapters.containsKey(a) && layer.base.bias() != null) {
                        layer.base.bias().freeze(false);
                    }
                }
            }
        }
    }

    /** Base parameters that are biases (type BIAS or named bias), outside adapters and saved copies. */
    private List<Parameter> baseBiases() {
        Set<Parameter> adapterOwned = Collections.newSetFromMap(new IdentityHashMap<>());
        for (AdaptedLayer layer : layers.values()) {
            for (LayerAdapter la : layer.adapters.values()) {
                for (AdapterParam p : la.parameters()) {
                    adapterOwned.add(p.parameter());
                }
            }
        }
        for (ModulesToSaveBlock w : saved.values()) {
            for (Block c : w.copies.values()) {
                for (Pair<String, Parameter> p : c.getParameters()) {
                    adapterOwned.add(p.getValue());
                }
            }
        }
        List<Parameter> out = new ArrayList<>();
        for (Pair<String, Parameter> p : root.getParameters()) {
            Parameter q = p.getValue();
            if (!adapterOwned.contains(q) && (q.getType() == Parameter.Type.BIAS || "bias".equals(q.getName()))) {
                out.add(q);
            }
        }
        return out;
    }

    private static boolean isRunningStat(Parameter p) {
        return p.getType() == Parameter.Type.RUNNING_MEAN || p.getType() == Parameter.Type.RUNNING_VAR;
    }

    /**
     * DJL's PtModel.newTrainer unfreezes all parameters of a loaded model ("wasLoaded"); clear that
     * flag so a trainer made directly from the model keeps the base frozen.
     */
    private static void clearWasLoaded(Model model) {
        if (model == null) {
            return;
        }
        for (Class<?> c = model.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            try {
                java.lang.reflect.Field f = c.getDeclaredField("wasLoaded");
                f.setAccessible(true);
                f.setBoolean(model, false);
                return;
            } catch (ReflectiveOperationException | RuntimeException e) {
                // not this class
            }
        }
    }

    @Override
    public ai.djl.training.Trainer newTrainer(ai.djl.training.TrainingConfig config) {
        if (model == null) {
            throw new IllegalStateException("this AdaptedModel wraps a bare block; make a DJL Model with setBlock(block()) "
                    + "and inject into the Model to get a trainer");
        }
        clearWasLoaded(model);
        ai.djl.training.Trainer t = model.newTrainer(config);
        applyTrainability();
        return t;
    }

    @Override
    public void refreshTrainability() {
        applyTrainability();
    }

    // ------------------------------------------------------------------ adapters

    @Override
    public Block block() {
        return root;
    }

    @Override
    public Model model() {
        return model;
    }

    @Override
    public List<String> adapterNames() {
        return new ArrayList<>(configs.keySet());
    }

    @Override
    public AdapterConfig config(String adapterName) {
        AdapterConfig c = configs.get(adapterName);
        if (c == null) {
            throw unknown(adapterName);
        }
        return c;
    }

    private IllegalArgumentException unknown(String name) {
        return new IllegalArgumentException("no adapter '" + name + "'; adapters: " + configs.keySet());
    }

    @Override
    public List<String> activeAdapters() {
        return List.copyOf(state.active);
    }

    @Override
    public void setActive(String... adapterNames) {
        for (String n : adapterNames) {
            config(n);
        }
        state.active.clear();
        for (String n : adapterNames) {
            if (!state.active.contains(n)) {
                state.active.add(n);
            }
        }
        applyTrainability();
    }

    @Override
    public void deleteAdapter(String adapterName) {
        config(adapterName);
        removeAdapter(adapterName);
        applyTrainability();
    }

    /** Removes every trace of an adapter (also used to roll back a failed injection). */
    private void removeAdapter(String name) {
        for (AdaptedLayer layer : new ArrayList<>(layers.values())) {
            LayerAdapter la = layer.adapters.get(name);
            if (la == null) {
                continue;
            }
            if (layer.merged.contains(name)) {
                List<String> order = new ArrayList<>(layer.merged);
                Collections.reverse(order);
                layer.unmergeAll();
                for (String o : order) {
                    if (!o.equals(name)) {
                        layer.merge(o);
                    }
                }
            }
            if (layer.holder instanceof ActivationWrapper) {
                ((ActivationWrapper) layer.holder).removeParams(name, la.parameters());
            } else {
                ((WeightPathBlock) layer.holder).removeParams(layer.path, name, la.parameters());
            }
            layer.adapters.remove(name);
            la.close();
            if (layer.adapters.isEmpty()) {
                uninstall(layer);
            }
        }
        for (Map.Entry<String, ModulesToSaveBlock> e : new ArrayList<>(saved.entrySet())) {
            ModulesToSaveBlock w = e.getValue();
            if (w.copies.containsKey(name)) {
                w.removeCopy(name);
                if (w.copies.isEmpty()) {
                    replaceHolder(w, w.original);
                    saved.remove(e.getKey());
                }
            }
        }
        SharedState st = shared.remove(name);
        if (st != null) {
            st.close();
        }
        configs.remove(name);
        state.active.remove(name);
    }

    private void uninstall(AdaptedLayer layer) {
        layers.remove(layer.path);
        if (layer.holder instanceof ActivationWrapper) {
            replaceHolder(layer.holder, layer.base.block());
        } else {
            WeightPathBlock wp = (WeightPathBlock) layer.holder;
            wp.layers.remove(layer.base.weight());
            if (layer.base.bias() != null) {
                wp.biases.remove(layer.base.bias());
            }
            if (wp.layers.isEmpty()) {
                weightWrappers.remove(wp.inner);
                replaceHolder(wp, wp.inner);
            }
        }
    }

    /** Puts {@code replacement} where {@code holder} sits in the tree (or as the root). */
    private void replaceHolder(Block holder, Block replacement) {
        if (root == holder) {
            setRoot(replacement);
            return;
        }
        for (BlockPaths.Node n : BlockPaths.walk(root)) {
            if (n.holder() == holder && n.parent() != null) {
                Reflect.replace(n.parent(), holder, replacement);
                return;
            }
        }
        throw new IllegalStateException("adapter wrapper not found in the tree; was the model's block replaced?");
    }

    // ------------------------------------------------------------------ merge / disable

    @Override
    public void merge() {
        merge(false);
    }

    @Override
    public void merge(boolean safe) {
        GradMode.off(() -> {
            if (safe) {
                checkFinite();
            }
            for (AdaptedLayer layer : layers.values()) {
                for (String a : state.active) {
                    layer.merge(a);
                }
            }
        });
    }

    /** Safe merge: computes W + ΔW for every pending merge first; throws before anything changes. */
    private void checkFinite() {
        for (AdaptedLayer layer : layers.values()) {
            for (String a : state.active) {
                LayerAdapter la = layer.adapters.get(a);
                if (la == null || layer.merged.contains(a)) {
                    continue;
                }
                try (NDScope scope = new NDScope()) {
                    NDArray w = la.effectiveWeight(layer.base.denseWeight(layer.base.manager()), ParamSource.DIRECT);
                    boolean bad = w.isNaN().any().getBoolean() || w.isInfinite().any().getBoolean();
                    if (bad) {
                        throw new IllegalStateException("NaNs detected in the merged weights. The adapter " + a
                                + " seems to be broken (layer '" + layer.path + "'); nothing was merged");
                    }
                }
            }
        }
    }

    @Override
    public void unmerge() {
        GradMode.off(() -> layers.values().forEach(AdaptedLayer::unmergeAll));
    }

    @Override
    public boolean isMerged() {
        for (AdaptedLayer layer : layers.values()) {
            if (!layer.merged.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public AdapterScope disable() {
        unmerge();
        boolean was = state.enabled;
        state.enabled = false;
        return () -> state.enabled = was;
    }

    @Override
    public void enable() {
        state.enabled = true;
    }

    @Override
    public boolean isEnabled() {
        return state.enabled;
    }

    @Override
    public Block mergeAndUnload() {
        return mergeAndUnload(false);
    }

    @Override
    public Block mergeAndUnload(boolean safe) {
        merge(safe);
        return strip();
    }

    @Override
    public Block unload() {
        unmerge();
        return strip();
    }

    /** Removes all wrappers (merged deltas stay in W); saved modules become the active copy. */
    private Block strip() {
        for (AdaptedLayer layer : new ArrayList<>(layers.values())) {
            for (LayerAdapter la : layer.adapters.values()) {
                la.close();
            }
            layer.adapters.clear();
            layer.merged.clear();
            uninstall(layer);
        }
        for (ModulesToSaveBlock w : new ArrayList<>(saved.values())) {
            Block keep = w.current();
            replaceHolder(w, keep);
        }
        saved.clear();
        for (SharedState s : shared.values()) {
            s.close();
        }
        shared.clear();
        configs.clear();
        state.active.clear();
        for (Pair<String, Parameter> p : root.getParameters()) {
            Boolean was = originalTrainable.get(p.getValue());
            p.getValue().freeze(was == null ? !p.getValue().requiresGradient() : !was);
        }
        return root;
    }

    // ------------------------------------------------------------------ counts and views

    @Override
    public long trainableParameters() {
        return count(true);
    }

    @Override
    public long allParameters() {
        return count(false);
    }

    private long count(boolean trainableOnly) {
        Set<Parameter> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        long n = 0;
        for (Pair<String, Parameter> p : root.getParameters()) {
            Parameter q = p.getValue();
            if (!q.isInitialized() || isRunningStat(q) || !seen.add(q)) {
                continue;
            }
            if (!trainableOnly || q.requiresGradient()) {
                n += q.getArray().size();
            }
        }
        for (SharedState s : shared.values()) {
            for (AdapterParam p : s.sharedParameters()) {
                if (p.trainable() && seen.add(p.parameter())
                        && (!trainableOnly || p.parameter().requiresGradient())) {
                    n += p.size();
                }
            }
        }
        return n;
    }

    @Override
    public String trainableSummary() {
        long t = trainableParameters();
        long a = allParameters();
        return String.format(Locale.US, "trainable params: %,d || all params: %,d || trainable%%: %.4f",
                t, a, a == 0 ? 0.0 : 100.0 * t / a);
    }

    @Override
    public List<AdaptedLayerInfo> layers() {
        List<AdaptedLayerInfo> out = new ArrayList<>();
        for (AdaptedLayer layer : layers.values()) {
            for (Map.Entry<String, LayerAdapter> e : layer.adapters.entrySet()) {
                LayerAdapter la = e.getValue();
                out.add(new AdaptedLayerInfo(layer.path, layer.base.kind(), layer.base.weightShape(), e.getKey(),
                        la.variant(), la.rank(), la.alpha(), la.scaling(), la.trainableCount(),
                        layer.merged.contains(e.getKey()), layer.mechanism));
            }
        }
        return out;
    }

    @Override
    public Map<String, AdapterParam> trainableParameterMap() {
        Map<String, AdapterParam> out = new LinkedHashMap<>();
        for (AdaptedLayer layer : layers.values()) {
            for (Map.Entry<String, LayerAdapter> e : layer.adapters.entrySet()) {
                for (AdapterParam p : e.getValue().parameters()) {
                    if (p.parameter().requiresGradient()) {
                        out.put(layer.path + "." + p.inMemoryKey(e.getKey()), p);
                    }
                }
            }
        }
        for (Map.Entry<String, SharedState> e : shared.entrySet()) {
            for (AdapterParam p : e.getValue().sharedParameters()) {
                if (p.parameter().requiresGradient()) {
                    out.put(p.key() + "." + e.getKey(), p);
                }
            }
        }
        for (Map.Entry<String, ModulesToSaveBlock> e : saved.entrySet()) {
            for (Map.Entry<String, Block> c : e.getValue().copies.entrySet()) {
                for (Map.Entry<String, Parameter> p : TorchNames.parameters(c.getValue()).entrySet()) {
                    if (p.getValue().requiresGradient()) {
                        out.put(e.getKey() + ".modules_to_save." + c.getKey() + "." + p.getKey(),
                                new AdapterParam(p.getKey(), p.getValue(), ParamRole.SAVED_MODULE, true));
                    }
                }
            }
        }
        for (Map.Entry<String, Parameter> b : namedBaseBiases().entrySet()) {
            if (b.getValue().requiresGradient()) {
                out.put(b.getKey(), new AdapterParam("bias", b.getValue(), ParamRole.BASE_BIAS, true));
            }
        }
        return out;
    }

    /** "path.bias" → base bias parameter, for biases outside adapters and saved copies. */
    private Map<String, Parameter> namedBaseBiases() {
        Set<Parameter> biases = Collections.newSetFromMap(new IdentityHashMap<>());
        biases.addAll(baseBiases());
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (BlockPaths.Node n : BlockPaths.walk(root)) {
            if (n.block() instanceof ModulesToSaveBlock) {
                continue;
            }
            for (Map.Entry<String, Parameter> p : TorchNames.direct(n.block()).entrySet()) {
                if (biases.contains(p.getValue())) {
                    out.put(n.path().isEmpty() ? p.getKey() : n.path() + "." + p.getKey(), p.getValue());
                }
            }
        }
        return out;
    }

    @Override
    public Map<String, AdapterParam> adapterTensors(String adapterName) {
        AdapterConfig cfg = config(adapterName);
        String prefix = "base_model.model.";
        Map<String, AdapterParam> out = new LinkedHashMap<>();
        for (AdaptedLayer layer : layers.values()) {
            LayerAdapter la = layer.adapters.get(adapterName);
            if (la != null) {
                for (AdapterParam p : la.savedParameters()) {
                    out.put(prefix + layer.path + "." + p.key(), p);
                }
            }
        }
        SharedState st = shared.get(adapterName);
        if (st != null) {
            for (AdapterParam p : st.sharedParameters()) {
                out.put(p.key(), p);
            }
        }
        for (Map.Entry<String, ModulesToSaveBlock> e : saved.entrySet()) {
            Block c = e.getValue().copies.get(adapterName);
            if (c != null) {
                for (Map.Entry<String, Parameter> p : TorchNames.parameters(c).entrySet()) {
                    out.put(prefix + e.getKey() + "." + p.getKey(),
                            new AdapterParam(p.getKey(), p.getValue(), ParamRole.SAVED_MODULE, true));
                }
            }
        }
        if (cfg.bias() != Bias.NONE) {
            Set<Parameter> mine = Collections.newSetFromMap(new IdentityHashMap<>());
            if (cfg.bias() == Bias.ALL) {
                mine.addAll(baseBiases());
            } else {
                for (AdaptedLayer layer : layers.values()) {
                    if (layer.adapters.containsKey(adapterName) && layer.base.bias() != null) {
                        mine.add(layer.base.bias());
                    }
                }
            }
            Map<Parameter, String> wrapped = new IdentityHashMap<>();
            for (AdaptedLayer layer : layers.values()) {
                if (layer.base.bias() != null) {
                    wrapped.put(layer.base.bias(), layer.path);
                }
            }
            for (Map.Entry<String, Parameter> b : namedBaseBiases().entrySet()) {
                if (mine.contains(b.getValue())) {
                    // PEFT's key: the bias of a layer that holds an adapter sits on its base_layer
                    String layerPath = wrapped.get(b.getValue());
                    String key = layerPath == null ? b.getKey() : layerPath + org.loralab.lora.io.PeftKeys.BASE_LAYER_BIAS;
                    out.put(prefix + key, new AdapterParam("bias", b.getValue(), ParamRole.BASE_BIAS, true));
                }
            }
        }
        return out;
    }

    @Override
    public float[][] baseWeight(String path) {
        AdaptedLayer layer = layers.get(path);
        if (layer != null) {
            return layer.base.weightMatrix();
        }
        Block b = namedBlocks().get(path);
        if (b == null) {
            throw new IllegalArgumentException("no block at '" + path + "'; nearest: "
                    + TargetMatcher.nearest(path, namedBlocks().keySet(), 5));
        }
        return DjlBaseLayer.of(b, path).weightMatrix();
    }

    @Override
    public LayerAdapter layerAdapter(String path, String adapterName) {
        AdaptedLayer layer = layers.get(path);
        if (layer == null) {
            throw new IllegalArgumentException("'" + path + "' has no adapter; adapted layers: " + layers.keySet());
        }
        LayerAdapter la = layer.adapters.get(adapterName);
        if (la == null) {
            throw new IllegalArgumentException("'" + path + "' has no adapter '" + adapterName + "'; it has "
                    + layer.adapters.keySet());
        }
        return la;
    }

    @Override
    public float[][] deltaWeight(String path, String adapterName) {
        AdaptedLayer layer = layers.get(path);
        if (layer == null) {
            throw new IllegalArgumentException("'" + path + "' has no adapter; adapted layers: " + layers.keySet());
        }
        LayerAdapter la = layer.adapters.get(adapterName);
        if (la == null) {
            throw new IllegalArgumentException("'" + path + "' has no adapter '" + adapterName + "'; it has "
                    + layer.adapters.keySet());
        }
        try (NDScope scope = new NDScope()) {
            NDArray d = la.deltaWeight(ParamSource.DIRECT);
            return Matrices.read(d);
        }
    }

    @Override
    public Map<String, Block> namedBlocks() {
        return BlockPaths.named(root);
    }

    @Override
    public TrainingHooks hooks() {
        checkHeldWeightsFrozen();
        Map<String, List<String>> byVariant = new LinkedHashMap<>();
        for (String a : state.active) {
            byVariant.computeIfAbsent(configs.get(a).variant(), k -> new ArrayList<>()).add(a);
        }
        byVariant.forEach((v, names) -> VariantRegistry.get(v).checkTrainable(List.copyOf(names)));
        List<TrainingHooks> hs = new ArrayList<>();
        for (String a : state.active) {
            SharedState s = shared.get(a);
            if (s != null && s != SharedState.NONE) {
                hs.add(s);
            }
        }
        if (hs.isEmpty()) {
            return TrainingHooks.NONE;
        }
        return new TrainingHooks() {
            @Override
            public List<String> planWarnings(long totalSteps) {
                List<String> out = new ArrayList<>();
                hs.forEach(h -> out.addAll(h.planWarnings(totalSteps)));
                return out;
            }

            @Override
            public void beforeStep(StepInfo step) {
                hs.forEach(h -> h.beforeStep(step));
            }

            @Override
            public NDArray extraLoss(ParamSource params, ai.djl.ndarray.NDManager manager) {
                NDArray sum = null;
                for (TrainingHooks h : hs) {
                    NDArray l = h.extraLoss(params, manager);
                    if (l != null) {
                        sum = sum == null ? l : sum.add(l);
                    }
                }
                return sum;
            }

            @Override
            public void afterStep(StepInfo step) {
                hs.forEach(h -> h.afterStep(step));
            }
        };
    }

    /**
     * A weight a {@link org.loralab.lora.variant.BaseWeightSource} holds cannot train: its Parameter views a NaN
     * placeholder (PyTorch likewise refuses gradients on a 4-bit weight). Caught here, before a trainer updates it.
     */
    private void checkHeldWeightsFrozen() {
        for (AdaptedLayer layer : layers.values()) {
            if (layer.base.weightSource() != null && layer.base.weight().requiresGradient()) {
                throw new IllegalStateException("the base weight of '" + layer.path + "' is held quantised by QLoRA "
                        + "and cannot be trained; freeze it again (refreshTrainability()) or delete its QLoRA adapters "
                        + "(unload()) to train it dense");
            }
        }
    }

    @Override
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    @Override
    public SharedState sharedState(String adapterName) {
        config(adapterName);
        SharedState st = shared.get(adapterName);
        return st == null ? SharedState.NONE : st;
    }

    @Override
    public AdapterConfig savedConfig(String adapterName) {
        AdapterConfig cfg = config(adapterName);
        SharedState st = shared.get(adapterName);
        return st == null ? cfg : st.savedConfig(cfg);
    }

    @Override
    public void save(Path dir, String adapterName) {
        AdapterFiles.save(this, adapterName, dir);
    }

    @Override
    public void load(Path dir, String adapterName) {
        AdapterFiles.load(this, dir, adapterName);
    }

    @Override
    public String toString() {
        return "AdaptedModel{adapters=" + configs.keySet() + ", active=" + state.active + ", layers=" + layers.size()
                + ", " + trainableSummary() + "}";
    }
}
