package org.loralab.lora.variant.vera;

import org.loralab.lora.config.AdapterConfig;

/**
 * VeRA's own options, read from {@link AdapterConfig#options()} under PEFT's {@code VeraConfig} key names
 * (spec §9.4 defaults): {@code projection_prng_key} (0), {@code save_projection} (true), {@code d_initial} (0.1);
 * {@code init_weights} is the config's init (true unless {@code init(false)}); {@code vera_dropout} is the
 * config's dropout.
 */
public record VeraOptions(long projectionPrngKey, boolean saveProjection, double dInitial, boolean initWeights,
        double dropout) {
    public static final String PROJECTION_PRNG_KEY = "projection_prng_key";
    public static final String SAVE_PROJECTION = "save_projection";
    public static final String D_INITIAL = "d_initial";

    public static VeraOptions of(AdapterConfig config) {
        return new VeraOptions(config.optionLong(PROJECTION_PRNG_KEY, 0L),
                config.optionBoolean(SAVE_PROJECTION, true), config.optionDouble(D_INITIAL, 0.1),
                !"false".equals(config.init().name()), config.dropout());
    }
}
