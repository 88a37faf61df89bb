package org.loralab.lora.variant.qlora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Random;

/** lin0 Linear(64 → 128) → relu → lin1 Linear(128 → 8): big enough for NF4 blocks and memory ratios. */
final class WideMlp extends AbstractBlock {
    static final int IN = 64;
    static final int HIDDEN = 128;
    static final int OUT = 8;

    final Block lin0;
    final Block lin1;

    WideMlp() {
        lin0 = addChildBlock("lin0", Linear.builder().setUnits(HIDDEN).build());
        lin1 = addChildBlock("lin1", Linear.builder().setUnits(OUT).build());
    }

    /** Initialised with seeded Gaussian weights (std 0.1) and biases, identical for equal seeds. */
    static WideMlp create(NDManager m, long seed) {
        WideMlp b = new WideMlp();
        b.initialize(m, DataType.FLOAT32, new Shape(6, IN));
        Random rnd = new Random(seed);
        for (var p : b.getParameters()) {
            NDArray a = p.getValue().getArray();
            float[] v = new float[(int) a.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (rnd.nextGaussian() * 0.1);
            }
            a.set(v);
        }
        return b;
    }

    static NDArray input(NDManager m) {
        Random rnd = new Random(3);
        float[] v = new float[6 * IN];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return m.create(v, new Shape(6, IN));
    }

    Parameter weight(Block lin) {
        return lin.getDirectParameters().get("weight");
    }

    Parameter bias(Block lin) {
        return lin.getDirectParameters().get("bias");
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
        NDList h = lin0.forward(ps, in, training, params);
        h = new NDList(Activation.relu(h.head()));
        return lin1.forward(ps, h, training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        return new Shape[] {new Shape(in[0].get(0), OUT)};
    }

    @Override
    protected void initializeChildBlocks(NDManager m, DataType t, Shape... in) {
        lin0.initialize(m, t, in);
        lin1.initialize(m, t, new Shape(in[0].get(0), HIDDEN));
    }
}
