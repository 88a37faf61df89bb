/**
 * SoRA (spec §16): a gate between A and B, trained by its own AdamW with a proximal threshold so that ranks switch
 * off; zero-gate ranks are pruned when saving.
 *
 * <pre>{@code
 * AdaptedModel am = AdaptedModel.inject(model, AdapterConfig.builder().variant("sora").r(8).alpha(16)
 *         .targetModules("query", "value")
 *         .option("sparse_lambda", 1e-3).option("sparse_lambda_2", 1e-3).option("sparse_lr", 1e-3)
 *         .build());
 * Fit.fit(am, train, null, options);            // L1 term in the loss, gate step + threshold after each step
 * Sora.rankTable(am, "default");                // surviving rank per layer
 * Sora.gates(am, "default").stepLambda();       // next value of the sparsity schedule
 * am.save(dir, "default");                      // zero gates dropped, surviving_ranks in the config
 * }</pre>
 *
 * The threshold rule is {@link org.loralab.lora.variant.sora.GateThreshold#SOFT} (the paper) by default;
 * {@code .option("threshold_rule", "reference")} replays the shipped code's quirk.
 */
package org.loralab.lora.variant.sora;
