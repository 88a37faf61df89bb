package org.loralab.lora.hf.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;

/**
 * transformers' {@code LlamaRMSNorm}: {@code weight * x / sqrt(mean(x^2) + eps)} over the last axis. The
 * normalisation runs in float32 whatever the input dtype (as transformers does), then the result is cast back
 * before the weight multiplies it. Parameter: {@code weight} [hidden].
 */
public final class RmsNorm extends AbstractBlock {
    private final Parameter weight;
    private final float eps;

    public RmsNorm(int hidden, double eps) {
        this.eps = (float) eps;
        weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(hidden)).optInitializer(new ConstantInitializer(1f)).build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        DataType in = x.getDataType();
        NDArray x32 = in == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
        NDArray variance = x32.square().mean(new int[] {-1}, true);
        NDArray normed = x32.div(variance.add(eps).sqrt());
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        // the activation is the receiver so the result lives on the input's manager, not the weight's (the model's)
        return new NDList((in == DataType.FLOAT32 ? normed : normed.toType(in, false)).mul(w));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
