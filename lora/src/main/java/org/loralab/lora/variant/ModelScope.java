package org.loralab.lora.variant;

import java.util.Map;
import java.util.Random;
import org.loralab.lora.config.AdapterConfig;

/**
 * What a variant sees before any layer adapter is made: every base layer that will be adapted
 * (VeRA sizes its projections from their maxima), the config and the adapter name.
 *
 * @param adapterName the adapter's name
 * @param config the config
 * @param targets the base layers that will be adapted, keyed by dotted path, in tree order
 * @param random the random source (seeded when the config has a seed)
 */
public record ModelScope(
        String adapterName, AdapterConfig config, Map<String, BaseLayer> targets, Random random) {}
