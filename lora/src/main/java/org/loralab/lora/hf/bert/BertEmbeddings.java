package org.loralab.lora.hf.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import org.loralab.lora.hf.llama.TokenEmbedding;

/**
 * transformers' {@code BertEmbeddings} / {@code RobertaEmbeddings}: children {@code word_embeddings},
 * {@code position_embeddings}, {@code token_type_embeddings} and {@code LayerNorm}. Inputs (input ids, position ids,
 * token type ids), each [B, T] int64; output {@code LayerNorm(words + positions + types)} [B, T, hidden].
 */
final class BertEmbeddings extends AbstractBlock {
    private final int hidden;

    BertEmbeddings(BertConfig c) {
        this.hidden = c.hidden();
        addChildBlock("word_embeddings", new TokenEmbedding(c.vocab(), c.hidden()));
        addChildBlock("position_embeddings", new TokenEmbedding(c.maxPositions(), c.hidden()));
        addChildBlock("token_type_embeddings", new TokenEmbedding(c.typeVocab(), c.hidden()));
        addChildBlock("LayerNorm", new BertLayerNorm(c.layerNormEps()));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray sum = null;
        for (int i = 0; i < 3; i++) {
            NDArray e = children.valueAt(i).forward(ps, new NDList(inputs.get(i)), training, params)
                    .singletonOrThrow();
            sum = sum == null ? e : sum.add(e);
        }
        return children.valueAt(3).forward(ps, new NDList(sum), training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(hidden)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (int i = 0; i < 3; i++) {
            children.valueAt(i).initialize(manager, dataType, inputShapes[0]);
        }
        children.valueAt(3).initialize(manager, dataType, getOutputShapes(inputShapes));
    }
}
