package org.loralab.lora.inject;

import ai.djl.Model;
import ai.djl.nn.Block;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.TrainingHooks;

/**
 * A DJL model (or block tree) with named adapters injected: PEFT's {@code PeftModel} for DJL.
 *
 * <pre>{@code
 * AdaptedModel m = AdaptedModel.inject(model, AdapterConfig.builder()
 *         .r(8).alpha(16).targetModules("query", "value").build());
 * System.out.println(m.trainableSummary());   // trainable params: ... || all params: ... || trainable%: ...
 * try (AdapterScope off = m.disable()) { ... base outputs ... }
 * m.merge(true);                               // safe merge: NaN/Inf check
 * Block plain = m.mergeAndUnload();
 * }</pre>
 *
 * The base is frozen; only adapter tensors, modules_to_save copies and biases per {@code bias} train.
 * Forward through {@link #block()} (or the DJL Model, whose block is updated) as usual.
 */
public interface AdaptedModel {

    /** The default adapter name, as in PEFT. */
    String DEFAULT = "default";

    /**
     * An adapted-model handle with no adapter yet (for {@link #load} of saved adapters, PEFT's
     * {@code PeftModel.from_pretrained}); its block must be initialized / loaded.
     */
    static AdaptedModel of(Model model) {
        return Injector.wrap(model, null);
    }

    /** As {@link #of(Model)} for a bare block tree. */
    static AdaptedModel of(Block root) {
        return Injector.wrap(null, root);
    }

    /** Injects adapter "default" into a DJL model (its block must be initialized / loaded). */
    static AdaptedModel inject(Model model, AdapterConfig config) {
        return Injector.inject(model, null, config, DEFAULT);
    }

    /** Injects adapter "default" into a block tree (initialized / loaded). */
    static AdaptedModel inject(Block root, AdapterConfig config) {
        return Injector.inject(null, root, config, DEFAULT);
    }

    /** Injects a named adapter into a DJL model. */
    static AdaptedModel inject(Model model, AdapterConfig config, String adapterName) {
        return Injector.inject(model, null, config, adapterName);
    }

    /** Injects a named adapter into a block tree. */
    static AdaptedModel inject(Block root, AdapterConfig config, String adapterName) {
        return Injector.inject(null, root, config, adapterName);
    }

    /**
     * A DJL Trainer for {@link #model()} with the adapter trainability re-applied afterwards. Use this
     * rather than {@code model.newTrainer}: DJL's PyTorch engine unfreezes every parameter of a model
     * that was loaded from a file when a trainer is made.
     */
    ai.djl.training.Trainer newTrainer(ai.djl.training.TrainingConfig config);

    /** Re-applies "base frozen, active adapters train" (after anything that unfroze parameters). */
    void refreshTrainability();

    /** The (possibly replaced) root block to run. */
    Block block();

    /** The DJL model, or null when injected into a bare block. */
    Model model();

    /** Adds another named adapter (inactive until {@link #setActive}); an existing name is an error. */
    void addAdapter(String name, AdapterConfig config);

    /** Names of all adapters, in creation order. */
    List<String> adapterNames();

    /** The config of an adapter. */
    AdapterConfig config(String adapterName);

    /** Active adapters (their deltas are summed). */
    List<String> activeAdapters();

    /** Makes exactly these adapters active (and trainable; others frozen). */
    void setActive(String... adapterNames);

    /** Removes an adapter everywhere (unmerging it first). */
    void deleteAdapter(String adapterName);

    /** Merges the active adapters into the base weights (unsafe). Merging twice is a no-op. */
    void merge();

    /**
     * Merges the active adapters; with {@code safe}, computes on a copy first and throws
     * IllegalStateException naming the adapter and layer when the result has NaN/Inf, leaving W untouched.
     */
    void merge(boolean safe);

    /** Subtracts merged adapters again (LIFO). */
    void unmerge();

    /** Whether any adapter is merged. */
    boolean isMerged();

    /** Disables all adapters (unmerging first) until the returned scope is closed. */
    AdapterScope disable();

    /** Re-enables adapters after a {@link #disable()} that was not scoped. */
    void enable();

    /** Whether adapters are enabled. */
    boolean isEnabled();

    /** Merges active adapters, removes all adapter blocks and returns the plain root block. */
    Block mergeAndUnload();

    /** As {@link #mergeAndUnload()} with a safe merge. */
    Block mergeAndUnload(boolean safe);

    /** Removes all adapter blocks without merging and returns the plain root block. */
    Block unload();

    /** PEFT print_trainable_parameters: trainable scalars. */
    long trainableParameters();

    /** PEFT print_trainable_parameters: all scalars (frozen base + adapters + saved copies; not running stats). */
    long allParameters();

    /** "trainable params: 667,493 || all params: 86,543,818 || trainable%: 0.7713". */
    String trainableSummary();

    /** Every adapted layer, one row per (layer, adapter), in tree order. */
    List<AdaptedLayerInfo> layers();

    /** Trainable tensors by PEFT in-memory name ("encoder...query.lora_A.default.weight"), with roles. */
    Map<String, AdapterParam> trainableParameterMap();

    /** W of the base layer at {@code path} as [out, in] (conv flattened, embedding [V, d]). */
    float[][] baseWeight(String path);

    /** ΔW of adapter {@code adapterName} at {@code path}, same layout as {@link #baseWeight}. */
    float[][] deltaWeight(String path, String adapterName);

    /**
     * The adapter object of {@code adapterName} at {@code path}, for variant-specific reports and
     * operations (e.g. QLoRA's quantised storage and merge drift); fails when there is none.
     */
    default org.loralab.lora.variant.LayerAdapter layerAdapter(String path, String adapterName) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not expose its layer adapters");
    }

    /** Dotted path to block, for every block of the tree (adapter wrappers are transparent). */
    Map<String, Block> namedBlocks();

    /**
     * The model-level state of one adapter (AdaLoRA's rank allocator, DyLoRA's rank, SoRA's gate optimizer), for
     * variant helpers to reach; {@code SharedState.NONE} when its variant keeps none.
     */
    default org.loralab.lora.variant.SharedState sharedState(String adapterName) {
        return org.loralab.lora.variant.SharedState.NONE;
    }

    /**
     * The hooks a trainer calls each step for the active adapters (AdaLoRA, DyLoRA, SoRA). Called when training is
     * about to start: throws IllegalStateException when the active adapters cannot train together, or when a base
     * weight held quantised by QLoRA was made trainable (it has no dense values to update).
     */
    TrainingHooks hooks();

    /** Notes from injection, e.g. target list entries that matched nothing, weight-path layers without dropout. */
    List<String> warnings();

    /**
     * Adds an adapter whose tensors will be overwritten by the caller (file loading): the layers are
     * made with {@code init=false} so no init touches the base weights; {@link #config} keeps
     * {@code config} as given. Not active until {@link #setActive}.
     */
    void addAdapterForLoading(String name, AdapterConfig config);

    /**
     * The tensors of one adapter as saved ({@code LayerAdapter.savedParameters}), under PEFT's file names ("base_model.model.<path>.lora_A.weight",
     * modules_to_save copies under the module path, trained biases, shared tensors), in file order.
     */
    Map<String, org.loralab.lora.variant.AdapterParam> adapterTensors(String adapterName);

    /**
     * The config as {@link #save} writes it: {@link #config} plus state learned in training (AdaLoRA's
     * rank_pattern, SoRA's surviving ranks; see {@code SharedState.savedConfig}).
     */
    default AdapterConfig savedConfig(String adapterName) {
        return config(adapterName);
    }

    /** Saves an adapter in PEFT layout: dir/adapter_config.json + dir/adapter_model.safetensors. */
    void save(Path dir, String adapterName);

    /**
     * Loads an adapter from a PEFT-layout directory under a new name (injecting it). It becomes active
     * when it is the only adapter, as with from_pretrained; otherwise call {@link #setActive}.
     * A failed load (bad file, mismatched shapes, missing or unexpected tensors) changes nothing.
     */
    void load(Path dir, String adapterName);
}
