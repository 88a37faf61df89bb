package org.loralab.lora.train;

/** Mean loss and accuracy of one epoch; accuracy is NaN for regression, validation values NaN without a set. */
public record EpochStats(
        int epoch,
        double trainLoss,
        double trainAccuracy,
        double validationLoss,
        double validationAccuracy,
        double seconds) {}
