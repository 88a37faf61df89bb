package org.loralab.lora.variant.qlora;

import org.loralab.lora.config.LoraInit;
import org.loralab.lora.quant.LoftQ;
import org.loralab.lora.quant.LoftQResult;
import org.loralab.lora.quant.QuantOptions;
import org.loralab.lora.variant.BaseLayer;
import org.loralab.lora.variant.lora.LoraInitContext;
import org.loralab.lora.variant.lora.LoraInitializer;

/**
 * {@code init_lora_weights="loftq"} for plain LoRA, as PEFT does it (spec §14): the base weight W of each
 * targeted Linear is replaced by the <em>dequantised</em> LoftQ weight Q (still fp32, to be saved and reloaded
 * quantised), A = R and B = L. With the "qlora" variant the base is kept in quantised storage instead (see
 * {@link QLoraLayer}). Options come from {@code loftq_config} ({@link LoftQSettings}); NF4 uses blocks of 64
 * without double quantisation, as PEFT's {@code Params4bit(compress_statistics=False)}.
 */
public final class LoftQInitializer implements LoraInitializer {
    @Override
    public String family() {
        return "loftq";
    }

    @Override
    public void initialize(LoraInit init, LoraInitContext ctx) {
        apply(run(ctx.base(), ctx.r(), ctx.scaling(), LoftQSettings.from(ctx.config(), QuantOptions.nf4())), ctx);
    }

    /** Runs LoftQ on the base weight of one layer: [out, in] only (Linear), as in PEFT. */
    public static LoftQResult run(BaseLayer base, int r, double scaling, org.loralab.lora.quant.LoftQConfig cfg) {
        float[][] w = base.weightMatrix();
        int out = w.length;
        int in = out == 0 ? 0 : w[0].length;
        float[] flat = new float[out * in];
        for (int o = 0; o < out; o++) {
            System.arraycopy(w[o], 0, flat, o * in, in);
        }
        return LoftQ.initialize(flat, out, in, r, scaling, cfg);
    }

    /** Writes A, B and dequant(Q) into the layer. */
    static void apply(LoftQResult res, LoraInitContext ctx) {
        ctx.setA(rows(res.loraA(), res.rank(), res.in()));
        ctx.setB(rows(res.loraB(), res.out(), res.rank()));
        ctx.base().setWeightMatrix(rows(res.base().dequantize(), res.out(), res.in()));
    }

    static float[][] rows(float[] flat, int rows, int cols) {
        float[][] m = new float[rows][cols];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(flat, i * cols, m[i], 0, cols);
        }
        return m;
    }
}
