package org.loralab.lora.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * HF's {@code ViTForImageClassification}: children {@code vit} ({@link VitModel}) and {@code classifier}
 * (Linear on the CLS token). Input [B, channels, image, image]; output logits [B, classes].
 * Block paths therefore match HF exactly, e.g. {@code vit.encoder.layer.0.attention.attention.query}.
 * Build it with {@link Vit#builder()}.
 */
public final class VitForImageClassification extends AbstractBlock {

    private final VitConfig config;

    VitForImageClassification(VitConfig c) {
        this.config = c;
        addChildBlock("vit", new VitModel(c, false));
        addChildBlock("classifier", Linear.builder().setUnits(c.classes()).build());
    }

    public VitConfig getConfig() {
        return config;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray tokens = children.valueAt(0).forward(ps, inputs, training, params).singletonOrThrow();
        NDArray cls = tokens.get(new NDIndex(":, 0, :"));
        return children.valueAt(1).forward(ps, new NDList(cls), training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), config.classes())};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        children.valueAt(0).initialize(manager, dataType, inputShapes);
        children.valueAt(1).initialize(manager, dataType, new Shape(inputShapes[0].get(0), config.hiddenSize()));
    }
}
