package org.loralab.lora.models;

import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.List;

/**
 * Children named {@code 0, 1, 2, ...} applied in order: the equivalent of PyTorch's {@code nn.ModuleList}
 * as used by HF's {@code encoder.layer}. (DJL's SequentialBlock names children after their class.)
 */
public final class IndexedBlocks extends ChainedBlock {

    public IndexedBlocks(List<? extends Block> blocks) {
        for (int i = 0; i < blocks.size(); i++) {
            addChildBlock(Integer.toString(i), blocks.get(i));
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = inputs;
        for (Block child : children.values()) {
            x = child.forward(ps, x, training, params);
        }
        return x;
    }
}
