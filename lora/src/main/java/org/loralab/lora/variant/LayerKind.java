package org.loralab.lora.variant;

/** The base block kinds an adapter can wrap. */
public enum LayerKind {
    /** ai.djl.nn.core.Linear: weight [out, in]. */
    LINEAR,
    /** ai.djl.nn.convolutional.Conv1d: weight [out, in/g, k]. */
    CONV1D,
    /** ai.djl.nn.convolutional.Conv2d: weight [out, in/g, kh, kw]. */
    CONV2D,
    /** ai.djl.nn.convolutional.Conv3d: weight [out, in/g, kd, kh, kw]. */
    CONV3D,
    /** ai.djl.nn.core.Embedding subclasses: weight [V, d]. */
    EMBEDDING;

    /** True for the convolutions. */
    public boolean isConv() {
        return this == CONV1D || this == CONV2D || this == CONV3D;
    }
}
