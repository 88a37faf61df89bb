package org.loralab.lora.variant.lora.init;

import org.loralab.lora.config.LoraInit;
import org.loralab.lora.variant.lora.LoraInitContext;
import org.loralab.lora.variant.lora.LoraInitializer;

/**
 * {@code init_lora_weights="pissa"} and {@code "pissa_niter_K"} (spec §6), Linear only as in PEFT: the top-r
 * singular triplets of W go into A and B, the residual replaces the base weight. The randomized variant draws its
 * Gaussian sketch from the layer's random source (seeded by the config's seed), so it is reproducible in Java but
 * not equal to torch's draws.
 */
public final class PissaInitializer implements LoraInitializer {
    @Override
    public String family() {
        return "pissa";
    }

    @Override
    public void initialize(LoraInit init, LoraInitContext ctx) {
        boolean randomized = init.name().startsWith("pissa_niter_");
        MutatingInit m = MutatingInit.pissa(ctx.base().weightMatrix(), ctx.r(), ctx.scaling(),
                randomized ? init.niter() : -1, ctx.random());
        ctx.setA(m.a());
        ctx.setB(m.b());
        ctx.base().setWeightMatrix(m.residual());
    }
}
