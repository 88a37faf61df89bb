/**
 * AdaLoRA (PEFT {@code tuners/adalora}, spec §10): ΔW = P·diag(E)·Q with a rank budget that shrinks during training.
 *
 * <pre>{@code
 * AdapterConfig cfg = AdaLora.config(1000)              // total_step is required
 *         .alpha(32).targetModules("query", "value")
 *         .option("init_r", 12).option("target_r", 4)
 *         .option("tinit", 100).option("tfinal", 200).option("deltaT", 10)
 *         .build();
 * AdaptedModel am = AdaptedModel.inject(model, cfg);
 * Fit.fit(am, train, val, FitOptions.defaults().steps(1000));   // regulariser + allocator run every step
 * AdaLora.allocator(am).activeRanks();                           // surviving rank per layer
 * am.save(dir, "default");                                       // sliced to the kept ranks, rank_pattern in the config
 * }</pre>
 *
 * Only one AdaLoRA adapter may train at a time (PEFT's rule): with several, make just that one active before
 * training (inactive adapters are frozen, PEFT's inference mode); {@code AdaptedModel.hooks()} and so {@code Fit}
 * refuse otherwise. When a fit runs a number of steps other than total_step, Fit shows one warning line before the
 * first step (to its listeners, e.g. the notebook's live view, else stderr). Embeddings are supported as an extension
 * PEFT's AdaLoRA lacks: A [r, V] is looked up as a table (LoRA's embedding form) and scored like any other triplet.
 *
 * Classes: {@link org.loralab.lora.variant.adalora.AdaLoraVariant} (SPI), {@link
 * org.loralab.lora.variant.adalora.AdaLoraLayer} (SVDLinear/SVDConv), {@link
 * org.loralab.lora.variant.adalora.RankAllocator} (importance, budget, masking, orthogonal regulariser as training
 * hooks), {@link org.loralab.lora.variant.adalora.BudgetSchedule}, {@link
 * org.loralab.lora.variant.adalora.AdaLoraOptions}, and {@link org.loralab.lora.variant.adalora.LowRankParts}, the
 * A·diag(v)·B maths shared with DyLoRA and SoRA. A custom loop without the SPI hooks calls
 * {@code allocator.extraLoss(...)} and {@code allocator.updateAndAllocate(step)} itself.
 */
package org.loralab.lora.variant.adalora;
