package org.loralab.lora.models;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.List;

/**
 * HF's {@code ViTModel} without pooler: children {@code embeddings}, {@code encoder} (whose child
 * {@code layer} holds {@code 0..layers-1}), {@code layernorm}. Output: normed tokens [B, T, hidden].
 */
public final class VitModel extends AbstractBlock {

    private static final int EMBEDDINGS = 0;
    private static final int ENCODER = 1;
    private static final int LAYERNORM = 2;

    private final VitConfig config;

    VitModel(VitConfig c) {
        this.config = c;
        List<VitLayer> layers = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            layers.add(new VitLayer(c));
        }
        addChildBlock("embeddings", new VitEmbeddings(c));
        addChildBlock("encoder", new VitEncoder(new IndexedBlocks(layers)));
        addChildBlock("layernorm", VitLayer.layerNorm(c));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = inputs;
        for (int i : new int[] {EMBEDDINGS, ENCODER, LAYERNORM}) {
            x = children.valueAt(i).forward(ps, x, training, params);
        }
        return x;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), config.sequenceLength(), config.hiddenSize())};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Block embeddings = children.valueAt(EMBEDDINGS);
        embeddings.initialize(manager, dataType, inputShapes);
        Shape[] tokens = embeddings.getOutputShapes(inputShapes);
        children.valueAt(ENCODER).initialize(manager, dataType, tokens);
        children.valueAt(LAYERNORM).initialize(manager, dataType, tokens);
    }

    /** HF's {@code ViTEncoder}: one child, {@code layer}. */
    static final class VitEncoder extends AbstractBlock {
        VitEncoder(IndexedBlocks layer) {
            addChildBlock("layer", layer);
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            return children.valueAt(0).forward(ps, inputs, training, params);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return inputShapes;
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            children.valueAt(0).initialize(manager, dataType, inputShapes);
        }
    }
}
