package org.loralab.lora.variant.lora;

import java.util.Random;
import org.loralab.lora.variant.BaseLayer;

/**
 * The tensors a {@link LoraInitializer} works on. Matrices are float[rows][cols]: A is [r, in],
 * B is [out, r], W is [out, in] (see {@link BaseLayer#weightMatrix()}).
 */
public interface LoraInitContext {
    /** The base layer (read W with weightMatrix(), write a residual with setWeightMatrix()). */
    BaseLayer base();

    /** Rank r of this layer. */
    int r();

    /** Scaling s of this layer (alpha/r or alpha/sqrt(r)). */
    double scaling();

    /** The adapter config (for init options such as PEFT's {@code loftq_config}). */
    default org.loralab.lora.config.AdapterConfig config() {
        throw new UnsupportedOperationException("this init context does not carry the adapter config");
    }

    /** Random source (seeded when the config has a seed). */
    Random random();

    /** Sets A ([r, in]). */
    void setA(float[][] a);

    /** Sets B ([out, r]). */
    void setB(float[][] b);

    /** Current A. */
    float[][] a();

    /** Current B. */
    float[][] b();
}
