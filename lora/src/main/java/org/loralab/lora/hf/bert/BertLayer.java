package org.loralab.lora.hf.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * transformers' {@code BertLayer} (post-LN), children {@code attention} ({@code self} + {@code output}),
 * {@code intermediate}, {@code output}. Inputs and outputs (hidden states, additive key mask), so layers chain.
 */
final class BertLayer extends AbstractBlock {
    private final int intermediate;

    BertLayer(BertConfig c) {
        this.intermediate = c.intermediate();
        addChildBlock("attention", new BertAttention(c));
        addChildBlock("intermediate", new DenseActivation(c.intermediate(), c.act()));
        addChildBlock("output", new DenseAddNorm(c.hidden(), c.layerNormEps()));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray h = children.valueAt(0).forward(ps, inputs, training, params).singletonOrThrow();
        NDList mid = children.valueAt(1).forward(ps, new NDList(h), training, params);
        NDArray y = children.valueAt(2).forward(ps, new NDList(mid.singletonOrThrow(), h), training, params)
                .singletonOrThrow();
        return new NDList(y, inputs.get(1));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        children.valueAt(0).initialize(manager, dataType, inputShapes);
        children.valueAt(1).initialize(manager, dataType, in);
        children.valueAt(2).initialize(manager, dataType, in.slice(0, in.dimension() - 1).add(intermediate), in);
    }

    /** transformers' {@code BertAttention}: {@code self} then {@code output} with the residual. */
    static final class BertAttention extends AbstractBlock {
        BertAttention(BertConfig c) {
            addChildBlock("self", new BertSelfAttention(c.hidden(), c.heads()));
            addChildBlock("output", new DenseAddNorm(c.hidden(), c.layerNormEps()));
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray context = children.valueAt(0).forward(ps, inputs, training, params).singletonOrThrow();
            return children.valueAt(1).forward(ps, new NDList(context, inputs.get(0)), training, params);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {inputShapes[0]};
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            children.valueAt(0).initialize(manager, dataType, inputShapes);
            children.valueAt(1).initialize(manager, dataType, inputShapes[0], inputShapes[0]);
        }
    }
}
