package org.loralab.lora.variant;

import ai.djl.ndarray.NDArray;

/**
 * What an adapter sees in the activation path.
 *
 * @param x the base block's input (float features, or indices for an embedding)
 * @param baseOutput the base block's output on {@code x}, bias included (DoRA reuses it)
 * @param training whether this is a training forward (dropout on, hooks may sample)
 * @param params live parameter values for this forward
 */
public record AdapterInput(NDArray x, NDArray baseOutput, boolean training, ParamSource params) {}
