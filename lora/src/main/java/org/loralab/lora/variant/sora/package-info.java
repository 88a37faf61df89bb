/**
 * SoRA (spec §16): a gate between A and B, trained by its own AdamW with a proximal threshold so that ranks switch
 * off; zero-gate ranks are pruned when saving.
 *
 * <pre>{@code
 * AdaptedModel am = AdaptedModel.inject(model, AdapterConfig.builder().variant("sora").r(8).alpha(16)
 *         .targetModules("query", "value")
 *         .option("sparse_lambda", 1e-3).option("sparse_lambda_2", 1e-3).option("sparse_lr", 1e-3)
 *         .build());
 * Fit.fit(am, train, null, FitOptions.defaults().schedule("linear").warmupSteps(100));
 *                                               // L1 term in the loss, gate step + threshold after each step;
 *                                               // the gate lr sparse_lr follows the same warm-up/decay
 * Sora.rankTable(am, "default");                // surviving rank per layer
 * Sora.gates(am, "default").stepLambda();       // next value of the sparsity schedule
 * am.save(dir, "default");                      // zero gates dropped, surviving_ranks in the config
 * }</pre>
 *
 * Linear, Conv2d (A a kh×kw conv in→r, gate, B a 1×1 conv r→out) and Embedding (A a table [r, V], gate, B [d, r])
 * layers. {@code sparse_lr_schedule} is "trainer" (default: sparse_lr times Fit's schedule factor, as the reference's
 * gate optimizer shares the main schedule) or "constant"; {@code lambda_schedule} is "linear", "log_linear" or
 * "exp_linear" (the reference's three spacings of the λ₂ stages). The threshold rule is {@link org.loralab.lora.variant.sora.GateThreshold#SOFT} (the paper) by default;
 * {@code .option("threshold_rule", "reference")} replays the shipped code's quirk.
 */
package org.loralab.lora.variant.sora;
