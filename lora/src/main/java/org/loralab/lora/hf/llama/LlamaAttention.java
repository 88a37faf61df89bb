package org.loralab.lora.hf.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * transformers' {@code LlamaAttention} (also Qwen2's and Mistral's): children {@code q_proj}, {@code k_proj},
 * {@code v_proj}, {@code o_proj} (DJL Linear), rotary positions on queries and keys, grouped-query attention
 * (query head {@code h} reads key/value head {@code h / groupSize}), softmax in float32.
 *
 * <p>Inputs: {@code [x [B,T,hidden], cos [B,1,T,d], sin [B,1,T,d], mask [B,1,T,S]]} (an additive float32 mask
 * over all S = past + T keys), optionally followed by the cached {@code pastK, pastV [B,kvHeads,past,d]}.
 * Outputs: {@code [y [B,T,hidden], k, v [B,kvHeads,S,d]]}, the keys and values including the past (the new
 * cache entries).
 */
public final class LlamaAttention extends AbstractBlock {
    private static final int Q = 0;
    private static final int K = 1;
    private static final int V = 2;
    private static final int O = 3;

    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final float scale;

    LlamaAttention(LlamaConfig c) {
        heads = c.heads();
        kvHeads = c.kvHeads();
        headDim = c.headDim();
        scale = (float) (1.0 / Math.sqrt(headDim));
        addChildBlock("q_proj", LlamaMlp.linear((long) heads * headDim, c.qkvBias()));
        addChildBlock("k_proj", LlamaMlp.linear((long) kvHeads * headDim, c.qkvBias()));
        addChildBlock("v_proj", LlamaMlp.linear((long) kvHeads * headDim, c.qkvBias()));
        addChildBlock("o_proj", LlamaMlp.linear(c.hiddenSize(), c.outputBias()));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = new NDList(inputs.get(0));
        NDArray cos = inputs.get(1);
        NDArray sin = inputs.get(2);
        NDArray mask = inputs.get(3);
        long batch = inputs.get(0).getShape().get(0);
        long t = inputs.get(0).getShape().get(1);
        NDArray q = rotate(heads(project(Q, ps, x, training, params), heads), cos, sin);
        NDArray k = rotate(heads(project(K, ps, x, training, params), kvHeads), cos, sin);
        NDArray v = heads(project(V, ps, x, training, params), kvHeads);
        if (inputs.size() > 4) {
            k = NDArrays.concat(new NDList(inputs.get(4), k), 2);
            v = NDArrays.concat(new NDList(inputs.get(5), v), 2);
        }
        long s = k.getShape().get(2);
        int group = heads / kvHeads;
        // [B, kv, group*T, d]: the query heads that share a key/value head, stacked, so K and V are never copied
        NDArray scores = q.reshape(batch, kvHeads, group * t, headDim).matMul(k.transpose(0, 1, 3, 2))
                .reshape(batch, heads, t, s);
        if (scores.getDataType() != DataType.FLOAT32) {
            scores = scores.toType(DataType.FLOAT32, false);
        }
        NDArray probs = scores.mul(scale).add(mask).softmax(-1);
        if (probs.getDataType() != v.getDataType()) {
            probs = probs.toType(v.getDataType(), false);
        }
        NDArray context = probs.reshape(batch, kvHeads, group * t, s).matMul(v)
                .reshape(batch, heads, t, headDim).transpose(0, 2, 1, 3).reshape(batch, t, (long) heads * headDim);
        NDArray y = children.valueAt(O).forward(ps, new NDList(context), training, params).head();
        return new NDList(y, k, v);
    }

    private NDArray project(int index, ParameterStore ps, NDList x, boolean training, PairList<String, Object> p) {
        Block child = children.valueAt(index);
        return child.forward(ps, x, training, p).head();
    }

    /** [B, T, n*d] to [B, n, T, d]. */
    private NDArray heads(NDArray x, int n) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), n, headDim).transpose(0, 2, 1, 3);
    }

    /** Rotate-half RoPE: {@code x * cos + rotate_half(x) * sin}, rotate_half([a, b]) = [-b, a]. */
    static NDArray rotate(NDArray x, NDArray cos, NDArray sin) {
        NDList halves = x.split(2, 3);
        NDArray rotated = NDArrays.concat(new NDList(halves.get(1).neg(), halves.get(0)), 3);
        return x.mul(cos).add(rotated.mul(sin));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        for (int i : new int[] {Q, K, V}) {
            children.valueAt(i).initialize(manager, dataType, in);
        }
        children.valueAt(O).initialize(manager, dataType, in.slice(0, in.dimension() - 1).add((long) heads * headDim));
    }
}
