package org.loralab.lora.hf.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.BlockList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.loralab.lora.models.IndexedBlocks;

/**
 * transformers' {@code LlamaModel}: children {@code embed_tokens}, {@code layers} ({@code 0..n-1}) and
 * {@code norm}. Block forward: {@code [ids [B,T] int64, optional attention mask [B,T]]} to the normed hidden
 * states [B,T,hidden]; {@link #run} does the same with an optional {@link KvCache}.
 */
public final class LlamaModel extends AbstractBlock {
    private static final int EMBED = 0;
    private static final int LAYERS = 1;
    private static final int NORM = 2;

    private final LlamaConfig config;
    private final float[] invFreq;

    LlamaModel(LlamaConfig c) {
        config = c;
        invFreq = c.rope().inverseFrequencies();
        List<LlamaDecoderLayer> layers = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            layers.add(new LlamaDecoderLayer(c));
        }
        addChildBlock("embed_tokens", new TokenEmbedding(c.vocabSize(), c.hiddenSize()));
        addChildBlock("layers", new IndexedBlocks(layers));
        addChildBlock("norm", new RmsNorm(c.hiddenSize(), c.rmsNormEps()));
    }

    public LlamaConfig config() {
        return config;
    }

    TokenEmbedding embedTokens() {
        return (TokenEmbedding) children.valueAt(EMBED);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray ids = inputs.head();
        long[][] mask = inputs.size() > 1 ? rows(inputs.get(1)) : null;
        return new NDList(run(ps, ids, mask, null, training, params));
    }

    /**
     * Hidden states for {@code ids} [B,T]; {@code mask} [B][T] (null: all real tokens); with a cache, the new
     * tokens follow the cached ones and the cache is extended.
     */
    NDArray run(ParameterStore ps, NDArray ids, long[][] mask, KvCache cache, boolean training,
            PairList<String, Object> params) {
        Shape s = ids.getShape();
        if (s.dimension() != 2) {
            throw new IllegalArgumentException("input ids must be [batch, tokens], got " + s);
        }
        int b = (int) s.get(0);
        int t = (int) s.get(1);
        long[][] newMask = mask == null ? AttentionInputs.ones(b, t) : mask;
        if (newMask.length != b) {
            throw new IllegalArgumentException("attention mask has " + newMask.length + " rows for " + b + " rows of ids");
        }
        if (cache != null && cache.batch() != b) {
            throw new IllegalArgumentException("the KV cache holds " + cache.batch() + " rows, the input " + b);
        }
        NDArray x = children.valueAt(EMBED).forward(ps, new NDList(ids), training, params).head();
        long[][] pastMask = cache == null ? new long[b][0] : cache.keyMask();
        long[] pastReal = cache == null ? new long[b] : cache.realTokens();
        AttentionInputs in = AttentionInputs.of(ids.getManager(), config, invFreq, newMask, pastMask, pastReal,
                x.getDataType());
        BlockList layers = children.valueAt(LAYERS).getChildren();
        for (int i = 0; i < layers.size(); i++) {
            NDList layerIn = new NDList(x, in.cos(), in.sin(), in.mask());
            if (cache != null && cache.keys(i) != null) {
                layerIn.add(cache.keys(i));
                layerIn.add(cache.values(i));
            }
            NDList out = layers.valueAt(i).forward(ps, layerIn, training, params);
            x = out.get(0);
            if (cache != null) {
                cache.update(i, out.get(1), out.get(2));
            }
        }
        if (cache != null) {
            cache.advance(in.keyMask(), in.realTokens());
        }
        return children.valueAt(NORM).forward(ps, new NDList(x), training, params).head();
    }

    static long[][] rows(NDArray mask) {
        Shape s = mask.getShape();
        if (s.dimension() != 2) {
            throw new IllegalArgumentException("attention mask must be [batch, tokens], got " + s);
        }
        long[] flat = mask.toType(DataType.INT64, false).toLongArray();
        int b = (int) s.get(0);
        int t = (int) s.get(1);
        long[][] out = new long[b][t];
        for (int r = 0; r < b; r++) {
            System.arraycopy(flat, r * t, out[r], 0, t);
        }
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(config.hiddenSize())};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape ids = inputShapes[0];
        Shape hidden = ids.add(config.hiddenSize());
        children.valueAt(EMBED).initialize(manager, dataType, ids);
        for (Block layer : children.valueAt(LAYERS).getChildren().values()) {
            layer.initialize(manager, dataType, hidden);
        }
        children.valueAt(NORM).initialize(manager, dataType, hidden);
    }
}
