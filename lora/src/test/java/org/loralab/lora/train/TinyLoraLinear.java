package org.loralab.lora.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;

/** Test-only LoRA linear layer (B zero, or normal with sigma bInit) with PEFT's names: y = x W^T + s (x A^T) B^T, W frozen. */
final class TinyLoraLinear extends AbstractBlock {
    final Parameter weight;
    final Parameter loraA;
    final Parameter loraB;
    final double scaling;
    private final long out;

    TinyLoraLinear(long in, long out, long r, double scaling, float bInit) {
        this.out = out;
        this.scaling = scaling;
        weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(out, in)).optInitializer(new NormalInitializer(0.5f))
                .optRequiresGrad(false).build());
        loraA = addParameter(Parameter.builder().setName("lora_A").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(r, in)).optInitializer(new NormalInitializer(0.5f)).build());
        loraB = addParameter(Parameter.builder().setName("lora_B").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(out, r)).optInitializer(bInit == 0f ? new ConstantInitializer(0f) : new NormalInitializer(bInit)).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
        NDArray x = inputs.head();
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        NDArray a = ps.getValue(loraA, x.getDevice(), training);
        NDArray b = ps.getValue(loraB, x.getDevice(), training);
        NDArray base = x.matMul(w.transpose());
        NDArray delta = x.matMul(a.transpose()).matMul(b.transpose()).mul(scaling);
        return new NDList(base.add(delta));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), out)};
    }

    @Override
    protected void initializeChildBlocks(ai.djl.ndarray.NDManager manager, DataType dataType, Shape... inputShapes) {}
}
