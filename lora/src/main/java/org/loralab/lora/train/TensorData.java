package org.loralab.lora.train;

import ai.djl.ndarray.NDArray;

/**
 * An in-memory dataset: features [n, ...] and labels [n] (class indices) or [n, ...] (regression targets). The fit
 * loop batches it itself, with a seeded shuffle, so runs are reproducible.
 */
public record TensorData(NDArray features, NDArray labels) {
    public TensorData {
        if (features.getShape().dimension() == 0 || labels.getShape().dimension() == 0) {
            throw new IllegalArgumentException("features and labels need a leading example axis");
        }
        if (features.getShape().get(0) != labels.getShape().get(0)) {
            throw new IllegalArgumentException("features have " + features.getShape().get(0)
                    + " examples but labels have " + labels.getShape().get(0));
        }
    }

    public long size() {
        return features.getShape().get(0);
    }
}
