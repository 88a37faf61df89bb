package org.loralab.lora.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.TruncatedNormalInitializer;
import ai.djl.util.PairList;

/**
 * HF's {@code ViTEmbeddings}: parameters {@code cls_token} [1, 1, hidden] and {@code position_embeddings}
 * [1, tokens, hidden], child {@code patch_embeddings}. Output: [CLS; patches] + positions.
 */
public final class VitEmbeddings extends AbstractBlock {

    private final VitConfig config;
    private final Parameter clsToken;
    private final Parameter positionEmbeddings;

    VitEmbeddings(VitConfig c) {
        this.config = c;
        clsToken = addParameter(Parameter.builder().setName("cls_token").setType(Parameter.Type.OTHER)
                .optShape(new Shape(1, 1, c.hiddenSize()))
                .optInitializer(new TruncatedNormalInitializer(0.02f)).build());
        positionEmbeddings = addParameter(Parameter.builder().setName("position_embeddings")
                .setType(Parameter.Type.OTHER).optShape(new Shape(1, c.sequenceLength(), c.hiddenSize()))
                .optInitializer(new TruncatedNormalInitializer(0.02f)).build());
        addChildBlock("patch_embeddings", new VitPatchEmbeddings(c));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray patches = children.valueAt(0).forward(ps, inputs, training, params).singletonOrThrow();
        NDArray cls = ps.getValue(clsToken, patches.getDevice(), training);
        NDArray pos = ps.getValue(positionEmbeddings, patches.getDevice(), training);
        long batch = patches.getShape().get(0);
        // DJL puts a result in its first operand's manager: move the parameter-derived CLS copy to the batch's
        // manager, or every downstream activation would pile up in the model's long-lived manager
        NDArray clsRows = cls.broadcast(batch, 1, config.hiddenSize());
        clsRows.attach(patches.getManager());
        return new NDList(clsRows.concat(patches, 1).add(pos));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), config.sequenceLength(), config.hiddenSize())};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        children.valueAt(0).initialize(manager, dataType, inputShapes);
    }
}
