/**
 * DyLoRA (spec §15): one adapter trained for every rank 1..r_max by sampling the rank each step.
 *
 * <pre>{@code
 * AdaptedModel am = AdaptedModel.inject(model, AdapterConfig.builder().variant("dylora")
 *         .r(8).alpha(16).targetModules("query", "value").seed(0).build());
 * Fit.fit(am, train, null, options);                     // beforeStep draws b ~ U{1..8}; only component b learns
 * Table t = DyLora.evaluateRanks(am, "accuracy", m -> accuracy(m, val));
 * DyLora.setRank(am, 4);  am.merge();                    // merge at rank 4: ΔW = (α/4)·B[:, :4]·A[:4]
 * }</pre>
 *
 * Linear, Conv2d (A a kh×kw conv in→r_max, B a 1×1 conv r_max→out, both truncated to b) and Embedding (A a table
 * [r_max, V], B [d, r_max]) layers. Option {@code "frozen"} (default true) detaches the lower b−1 components while training, as the reference does.
 */
package org.loralab.lora.variant.dylora;
