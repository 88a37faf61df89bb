package org.loralab.lora.hf.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.List;

import org.loralab.lora.models.HiddenAct;
import org.loralab.lora.models.IndexedBlocks;
import org.loralab.lora.models.LayerEncoder;

/**
 * transformers' {@code BertModel} / {@code RobertaModel}: children {@code embeddings}, {@code encoder} (with
 * {@code layer.N}) and, with a pooler, {@code pooler} (dense + tanh on the first token). Inputs (input ids, position
 * ids, token type ids, additive key mask [B, 1, 1, T]); outputs the last hidden state [B, T, hidden] and, with a
 * pooler, the pooled output [B, hidden].
 */
final class BertEncoderModel extends AbstractBlock {
    private final int hidden;
    private final boolean pooler;

    BertEncoderModel(BertConfig c, boolean pooler) {
        this.hidden = c.hidden();
        this.pooler = pooler;
        addChildBlock("embeddings", new BertEmbeddings(c));
        List<BertLayer> layers = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            layers.add(new BertLayer(c));
        }
        addChildBlock("encoder", new LayerEncoder(new IndexedBlocks(layers)));
        if (pooler) {
            addChildBlock("pooler", new DenseActivation(c.hidden(), HiddenAct.TANH));
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList ids = new NDList(inputs.get(0), inputs.get(1), inputs.get(2));
        NDArray x = children.valueAt(0).forward(ps, ids, training, params).singletonOrThrow();
        NDArray h = children.valueAt(1).forward(ps, new NDList(x, inputs.get(3)), training, params).head();
        if (!pooler) {
            return new NDList(h);
        }
        NDArray first = h.get(new NDIndex(":, 0, :"));
        return new NDList(h, children.valueAt(2).forward(ps, new NDList(first), training, params).singletonOrThrow());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape seq = inputShapes[0].add(hidden);
        return pooler ? new Shape[] {seq, new Shape(seq.get(0), hidden)} : new Shape[] {seq};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        children.valueAt(0).initialize(manager, dataType, inputShapes[0], inputShapes[1], inputShapes[2]);
        Shape seq = inputShapes[0].add(hidden);
        children.valueAt(1).initialize(manager, dataType, seq, inputShapes[3]);
        if (pooler) {
            children.valueAt(2).initialize(manager, dataType, new Shape(seq.get(0), hidden));
        }
    }
}
