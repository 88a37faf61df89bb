/**
 * Injection of adapters into any DJL Block tree, and the {@link org.loralab.lora.inject.AdaptedModel}
 * handle (PEFT's PeftModel).
 *
 * <h2>Names</h2>
 * Every block gets a dotted path (see {@link org.loralab.lora.inject.BlockPaths}): a child added with
 * {@code addChildBlock("query", block)} is "query"; children added anonymously
 * ({@code SequentialBlock.add}) are "0", "1", ... So a model whose blocks call
 * {@code addChildBlock("encoder", ..)}, {@code ("layer", sequential)}, {@code ("attention", ..)},
 * {@code ("query", linear)} gets HF names like {@code encoder.layer.3.attention.attention.query}.
 *
 * <h2>How a layer is reached</h2>
 * <ol>
 * <li>Activation path (PEFT's exact forward, with input dropout): the base layer is replaced in its
 * parent's children list and in every field that references it by a wrapper that computes
 * {@code base(x) + s * B(A(dropout(x)))}. For fields typed {@code Block}/{@code AbstractBlock} the
 * wrapper is an {@code AdapterBlock}; for fields typed {@code Linear} or {@code Conv2d} it is a
 * subclass of that class.</li>
 * <li>Weight path (fallback, e.g. a field typed by a user subclass of Linear): the nearest ancestor
 * that can be replaced is wrapped, and it runs with a ParameterStore that hands the layer
 * {@code W + dW}. No input dropout there ({@link org.loralab.lora.inject.AdaptedModel#warnings()}
 * says so).</li>
 * </ol>
 * Blocks written for this project should keep children in {@code Block}-, {@code Linear}- or
 * {@code Conv2d}-typed fields (or only in the children list).
 *
 * <h2>A base weight held elsewhere</h2>
 * A variant may install a {@link org.loralab.lora.variant.BaseWeightSource} on the base layer (QLoRA's
 * quantised storage). The weight Parameter then keeps its shape but frees its storage (it views one NaN);
 * both paths run the base op with a dense W the source materialises per forward into a scratch manager;
 * the wrappers densify W only while DJL saves or loads parameters. Everything else reads W through
 * {@link org.loralab.lora.variant.BaseLayer#denseWeight} and writes it through
 * {@link org.loralab.lora.variant.BaseLayer#writeWeight} (DoRA, merges), never through
 * {@code weight().getArray()}. A {@code modules_to_save} module that contains such a layer, and training its
 * weight Parameter, are refused with what to do.
 *
 * <h2>Training</h2>
 * Make trainers with {@link org.loralab.lora.inject.AdaptedModel#newTrainer}: DJL's PyTorch engine
 * unfreezes all parameters of a loaded model in {@code Model.newTrainer}. Call
 * {@link org.loralab.lora.inject.AdaptedModel#hooks()} each step for variants with per-step work, and
 * use {@link org.loralab.lora.inject.AdaptedModel#trainableParameterMap()} roles for optimizer groups.
 */
package org.loralab.lora.inject;
