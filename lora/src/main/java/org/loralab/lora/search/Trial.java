package org.loralab.lora.search;

import org.loralab.lora.train.Sweep;

/**
 * One sampled configuration of an automated search.
 *
 * @param id index in sampling order (0-based); ties in the metric go to the lower id
 * @param r LoRA rank
 * @param alpha lora_alpha
 * @param lr learning rate
 */
public record Trial(int id, int r, double alpha, double lr) {
    /** The sweep point for {@code variant}, so trials run through {@link Sweep}. */
    public Sweep.Point toPoint(String variant) {
        return new Sweep.Point(variant, r, alpha, lr);
    }
}
