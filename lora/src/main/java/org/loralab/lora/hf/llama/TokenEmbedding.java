package org.loralab.lora.hf.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

/**
 * PyTorch's {@code nn.Embedding} as transformers' {@code embed_tokens} uses it: token ids [B, T] (int64) to rows
 * of {@code weight} [vocab, hidden]. The weight is also the tied output head's, read by {@link #weight()}.
 */
public final class TokenEmbedding extends AbstractBlock {
    private final Parameter weight;
    private final int vocab;
    private final int hidden;

    public TokenEmbedding(int vocab, int hidden) {
        this.vocab = vocab;
        this.hidden = hidden;
        weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(vocab, hidden)).optInitializer(new NormalInitializer(0.02f)).build());
    }

    /** The {@code [vocab, hidden]} parameter (shared with a tied {@code lm_head}). */
    public Parameter weight() {
        return weight;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray ids = inputs.head();
        if (ids.getDataType() != DataType.INT64) {
            ids = ids.toType(DataType.INT64, false);
        }
        NDArray w = ps.getValue(weight, ids.getDevice(), training);
        return ids.getNDArrayInternal().embedding(ids, w, SparseFormat.DENSE);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(hidden)};
    }

    @Override
    public String toString() {
        return "TokenEmbedding(" + vocab + ", " + hidden + ")";
    }
}
