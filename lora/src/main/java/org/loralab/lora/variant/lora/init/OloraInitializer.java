package org.loralab.lora.variant.lora.init;

import org.loralab.lora.config.LoraInit;
import org.loralab.lora.variant.lora.LoraInitContext;
import org.loralab.lora.variant.lora.LoraInitializer;

/**
 * {@code init_lora_weights="olora"} (spec §7.1), Linear only: B = first r columns of Q, A = first r rows of R from
 * the reduced QR of W (LAPACK sign convention, see {@link org.loralab.lora.linalg.Qr}); the residual replaces the
 * base weight. No √ split and no division by the scaling, as in PEFT.
 */
public final class OloraInitializer implements LoraInitializer {
    @Override
    public String family() {
        return "olora";
    }

    @Override
    public void initialize(LoraInit init, LoraInitContext ctx) {
        MutatingInit m = MutatingInit.olora(ctx.base().weightMatrix(), ctx.r(), ctx.scaling());
        ctx.setA(m.a());
        ctx.setB(m.b());
        ctx.base().setWeightMatrix(m.residual());
    }
}
