package org.loralab.lora.hf.bert;

import ai.djl.nn.norm.LayerNorm;

/**
 * DJL's LayerNorm over the hidden axis of [B, T, hidden], under its own class name: transformers names these
 * modules {@code LayerNorm}, and BlockPaths reads a child named after its own class as an unnamed (indexed) child.
 */
final class BertLayerNorm extends LayerNorm {
    BertLayerNorm(float eps) {
        super(LayerNorm.builder().axis(2).optEpsilon(eps));
    }
}
