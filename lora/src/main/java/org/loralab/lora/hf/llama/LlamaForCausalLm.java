package org.loralab.lora.hf.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * transformers' {@code LlamaForCausalLM} (and {@code Qwen2ForCausalLM}, {@code MistralForCausalLM}): children
 * {@code model} and, unless {@code tie_word_embeddings}, {@code lm_head} (a DJL Linear without bias). Tied, the
 * output head multiplies by {@code model.embed_tokens.weight} and there is no {@code lm_head} parameter, as in
 * PyTorch's deduplicated {@code parameters()}.
 *
 * <p>Block forward: {@code [ids [B,T] int64, optional attention mask [B,T] (1 real, 0 padding)]} to logits
 * [B,T,vocab] in the compute dtype; training mode records the graph for autograd (no dropout anywhere).
 */
public final class LlamaForCausalLm extends AbstractBlock {
    private static final int MODEL = 0;
    private static final int LM_HEAD = 1;

    private final LlamaConfig config;

    public LlamaForCausalLm(LlamaConfig c) {
        config = c;
        addChildBlock("model", new LlamaModel(c));
        if (!c.tieWordEmbeddings()) {
            addChildBlock("lm_head", LlamaMlp.linear(c.vocabSize(), false));
        }
    }

    public LlamaConfig config() {
        return config;
    }

    private LlamaModel model() {
        return (LlamaModel) children.valueAt(MODEL);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        long[][] mask = inputs.size() > 1 ? LlamaModel.rows(inputs.get(1)) : null;
        return new NDList(logits(ps, inputs.head(), mask, null, training, params));
    }

    /** Logits for {@code ids} after the cached tokens (when {@code cache} is not null), extending the cache. */
    public NDArray logits(ParameterStore ps, NDArray ids, long[][] mask, KvCache cache, boolean training,
            PairList<String, Object> params) {
        NDArray hidden = model().run(ps, ids, mask, cache, training, params);
        return head(ps, hidden, training, params);
    }

    /**
     * Logits [B, 1, vocab] of the last position only, after the cached tokens, extending the cache: generation
     * needs no others, and the output head is the largest matrix of a small model.
     */
    public NDArray lastLogits(ParameterStore ps, NDArray ids, long[][] mask, KvCache cache) {
        NDArray hidden = model().run(ps, ids, mask, cache, false, null);
        return head(ps, hidden.get(new NDIndex(":, -1:")), false, null);
    }

    /** A fresh, empty cache for this model. */
    public KvCache newCache(NDManager manager, int batch) {
        return new KvCache(manager, config.layers(), batch);
    }

    private NDArray head(ParameterStore ps, NDArray hidden, boolean training, PairList<String, Object> params) {
        if (config.tieWordEmbeddings()) {
            NDArray w = ps.getValue(model().embedTokens().weight(), hidden.getDevice(), training);
            // Eᵀ would live on E's manager (the model's) until the model closes: free it with the activations
            NDArray wt = w.transpose();
            wt.attach(hidden.getManager());
            return hidden.matMul(wt);
        }
        return children.valueAt(LM_HEAD).forward(ps, new NDList(hidden), training, params).head();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(config.vocabSize())};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        children.valueAt(MODEL).initialize(manager, dataType, inputShapes[0]);
        if (!config.tieWordEmbeddings()) {
            children.valueAt(LM_HEAD).initialize(manager, dataType, inputShapes[0].add(config.hiddenSize()));
        }
    }
}
