package org.loralab.lora.inject;

import ai.djl.ndarray.types.Shape;
import org.loralab.lora.variant.LayerKind;

/**
 * One row of {@link AdaptedModel#layers()}: an adapted base layer under one adapter.
 *
 * @param path dotted path of the base block
 * @param kind base kind
 * @param baseShape base weight shape
 * @param adapterName adapter name
 * @param variant variant name
 * @param r rank
 * @param alpha alpha
 * @param scaling current scaling
 * @param trainable trainable scalars of this adapter on this layer
 * @param merged whether this adapter is merged into the weight now
 * @param mechanism how it was injected: "activation" (block replaced) or "weight" (ParameterStore)
 */
public record AdaptedLayerInfo(
        String path, LayerKind kind, Shape baseShape, String adapterName, String variant, int r,
        double alpha, double scaling, long trainable, boolean merged, String mechanism) {}
