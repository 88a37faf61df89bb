package org.loralab.lora.hf.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * transformers' {@code BertForSequenceClassification} (children {@code bert} with its pooler, {@code classifier} a
 * Linear on the pooled output) or {@code RobertaForSequenceClassification} (children {@code roberta} without a
 * pooler, {@code classifier} a {@link RobertaClassificationHead} on the first token). Inputs (input ids, attention
 * mask, token type ids), each [B, T] int64; output the logits [B, labels].
 */
public final class SequenceClassificationBlock extends AbstractBlock {
    private final boolean roberta;
    private final int padTokenId;
    private final int labels;
    private DataType dtype = DataType.FLOAT32;

    public SequenceClassificationBlock(BertConfig c) {
        this.roberta = c.roberta();
        this.padTokenId = c.padTokenId();
        this.labels = c.labels().size();
        addChildBlock(c.prefix(), new BertEncoderModel(c, !c.roberta()));
        addChildBlock("classifier", c.roberta() ? new RobertaClassificationHead(c.hidden(), labels)
                : Linear.builder().setUnits(labels).build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray ids = inputs.get(0);
        NDArray mask = inputs.get(1);
        NDList encoded = children.valueAt(0).forward(ps,
                new NDList(ids, positionIds(ids), inputs.get(2), keyMask(mask)), training, params);
        NDArray features = roberta ? encoded.get(0).get(new NDIndex(":, 0, :")) : encoded.get(1);
        return children.valueAt(1).forward(ps, new NDList(features), training, params);
    }

    /**
     * BERT: 0..T-1. RoBERTa (transformers' create_position_ids_from_input_ids): a non-pad token at its count of
     * non-pad tokens so far plus padding_idx, a pad token at padding_idx.
     */
    private NDArray positionIds(NDArray ids) {
        Shape s = ids.getShape();
        if (!roberta) {
            return ids.getManager().arange(0L, s.get(1), 1L, DataType.INT64).reshape(1, s.get(1)).repeat(0, s.get(0));
        }
        NDArray real = ids.neq(padTokenId).toType(DataType.INT64, false);
        return real.cumSum(1).mul(real).add(padTokenId);
    }

    /** [B, T] 1/0 to the additive [B, 1, 1, T]: 0 for a token, the dtype's lowest value for padding. */
    private NDArray keyMask(NDArray mask) {
        float lowest = dtype == DataType.FLOAT16 ? -65504f : -Float.MAX_VALUE;
        Shape s = mask.getShape();
        return mask.toType(dtype, false).neg().add(1).mul(lowest).reshape(s.get(0), 1, 1, s.get(1));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), labels)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        this.dtype = dataType;
        Shape ids = inputShapes[0];
        Shape mask = new Shape(ids.get(0), 1, 1, ids.get(1));
        children.valueAt(0).initialize(manager, dataType, ids, ids, ids, mask);
        Shape[] out = children.valueAt(0).getOutputShapes(new Shape[] {ids, ids, ids, mask});
        children.valueAt(1).initialize(manager, dataType, out[out.length - 1]);
    }
}
