package org.loralab.lora.hf.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * transformers' {@code LlamaDecoderLayer} (pre-norm): {@code h = x + self_attn(input_layernorm(x))},
 * {@code y = h + mlp(post_attention_layernorm(h))}. Inputs and outputs as {@link LlamaAttention}'s, with the
 * layer's output in place of the attention's.
 */
public final class LlamaDecoderLayer extends AbstractBlock {
    private static final int ATTENTION = 0;
    private static final int MLP = 1;
    private static final int INPUT_NORM = 2;
    private static final int POST_NORM = 3;

    LlamaDecoderLayer(LlamaConfig c) {
        addChildBlock("self_attn", new LlamaAttention(c));
        addChildBlock("mlp", new LlamaMlp(c));
        addChildBlock("input_layernorm", new RmsNorm(c.hiddenSize(), c.rmsNormEps()));
        addChildBlock("post_attention_layernorm", new RmsNorm(c.hiddenSize(), c.rmsNormEps()));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        NDList attnIn = new NDList(inputs);
        attnIn.set(0, children.valueAt(INPUT_NORM).forward(ps, new NDList(x), training, params).head());
        NDList attn = children.valueAt(ATTENTION).forward(ps, attnIn, training, params);
        NDArray h = x.add(attn.get(0));
        NDList normed = children.valueAt(POST_NORM).forward(ps, new NDList(h), training, params);
        NDArray y = h.add(children.valueAt(MLP).forward(ps, normed, training, params).head());
        return new NDList(y, attn.get(1), attn.get(2));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        for (int i = 0; i < children.size(); i++) {
            children.valueAt(i).initialize(manager, dataType, in);
        }
    }
}
