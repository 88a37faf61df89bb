package org.loralab.lora.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.List;

/**
 * HF's {@code ViTModel}: children {@code embeddings}, {@code encoder} (whose child {@code layer} holds
 * {@code 0..layers-1}), {@code layernorm} and, when built with a pooler (HF's {@code add_pooling_layer}, true for
 * a bare ViTModel, false inside ViTForImageClassification), {@code pooler} (dense + tanh on the CLS token).
 * Output: normed tokens [B, T, hidden], then the pooled [B, hidden] when there is a pooler.
 */
public final class VitModel extends AbstractBlock {

    private static final int EMBEDDINGS = 0;
    private static final int ENCODER = 1;
    private static final int LAYERNORM = 2;
    private static final int POOLER = 3;

    private final VitConfig config;
    private final boolean pooler;

    VitModel(VitConfig c, boolean pooler) {
        this.config = c;
        this.pooler = pooler;
        List<VitLayer> layers = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            layers.add(new VitLayer(c));
        }
        addChildBlock("embeddings", new VitEmbeddings(c));
        addChildBlock("encoder", new LayerEncoder(new IndexedBlocks(layers)));
        addChildBlock("layernorm", VitLayer.layerNorm(c));
        if (pooler) {
            addChildBlock("pooler", new VitDense(c.hiddenSize(), HiddenAct.TANH));
        }
    }

    public VitConfig getConfig() {
        return config;
    }

    /** Whether the output has the pooled CLS token as second array. */
    public boolean hasPooler() {
        return pooler;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = inputs;
        for (int i : new int[] {EMBEDDINGS, ENCODER, LAYERNORM}) {
            x = children.valueAt(i).forward(ps, x, training, params);
        }
        if (!pooler) {
            return x;
        }
        NDArray tokens = x.singletonOrThrow();
        NDList cls = new NDList(tokens.get(new NDIndex(":, 0, :")));
        NDArray pooled = children.valueAt(POOLER).forward(ps, cls, training, params).singletonOrThrow();
        return new NDList(tokens, pooled);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long batch = inputShapes[0].get(0);
        Shape tokens = new Shape(batch, config.sequenceLength(), config.hiddenSize());
        return pooler ? new Shape[] {tokens, new Shape(batch, config.hiddenSize())} : new Shape[] {tokens};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Block embeddings = children.valueAt(EMBEDDINGS);
        embeddings.initialize(manager, dataType, inputShapes);
        Shape[] tokens = embeddings.getOutputShapes(inputShapes);
        children.valueAt(ENCODER).initialize(manager, dataType, tokens);
        children.valueAt(LAYERNORM).initialize(manager, dataType, tokens);
        if (pooler) {
            children.valueAt(POOLER).initialize(manager, dataType, new Shape(inputShapes[0].get(0),
                    config.hiddenSize()));
        }
    }
}
