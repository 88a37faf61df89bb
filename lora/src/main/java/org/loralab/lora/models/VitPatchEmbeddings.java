package org.loralab.lora.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * HF's {@code ViTPatchEmbeddings}: child {@code projection}, a patch x patch conv with stride patch; the
 * [B, hidden, h, w] map is flattened to [B, h*w, hidden] tokens.
 */
public final class VitPatchEmbeddings extends AbstractBlock {

    private final VitConfig config;

    VitPatchEmbeddings(VitConfig c) {
        this.config = c;
        Shape patch = new Shape(c.patchSize(), c.patchSize());
        addChildBlock("projection", Conv2d.builder().setKernelShape(patch).optStride(patch)
                .setFilters(c.hiddenSize()).build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        Shape in = inputs.singletonOrThrow().getShape();
        if (in.dimension() != 4 || in.get(1) != config.channels() || in.get(2) != config.imageSize()
                || in.get(3) != config.imageSize()) {
            throw new IllegalArgumentException("ViT expects images [batch, " + config.channels() + ", "
                    + config.imageSize() + ", " + config.imageSize() + "], got " + in);
        }
        NDArray map = children.valueAt(0).forward(ps, inputs, training, params).singletonOrThrow();
        Shape s = map.getShape();
        return new NDList(map.reshape(s.get(0), s.get(1), s.get(2) * s.get(3)).transpose(0, 2, 1));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        int n = config.patchesPerSide();
        return new Shape[] {new Shape(inputShapes[0].get(0), (long) n * n, config.hiddenSize())};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        children.valueAt(0).initialize(manager, dataType, inputShapes);
    }
}
