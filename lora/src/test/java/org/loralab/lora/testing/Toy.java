package org.loralab.lora.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** PEFT's toy models (tests/test_custom_models.py) with the same module names. */
public final class Toy {
    private Toy() {}

    /**
     * MLP: lin0 Linear(10,20) → relu → lin1 Linear(20,2) → log_softmax; input [9,10]. Children are
     * held in Block-typed fields, so adapters replace them (activation path).
     */
    public static final class Mlp extends AbstractBlock {
        public final Block lin0;
        public final Block lin1;

        public Mlp() {
            this(true);
        }

        public Mlp(boolean bias) {
            lin0 = addChildBlock("lin0", Linear.builder().setUnits(20).optBias(bias).build());
            lin1 = addChildBlock("lin1", Linear.builder().setUnits(2).optBias(bias).build());
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
            NDList h = lin0.forward(ps, in, training, params);
            h = new NDList(Activation.relu(h.head()));
            NDArray y = lin1.forward(ps, h, training, params).head();
            return new NDList(y.logSoftmax(-1));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] in) {
            return new Shape[] {new Shape(in[0].get(0), 2)};
        }

        @Override
        protected void initializeChildBlocks(NDManager m, DataType t, Shape... in) {
            lin0.initialize(m, t, in);
            lin1.initialize(m, t, new Shape(in[0].get(0), 20));
        }
    }

    /** A user subclass of Linear (no behaviour of its own). */
    public static final class MyLinear extends Linear {
        public MyLinear(long units) {
            super(Linear.builder().setUnits(units));
        }
    }

    /**
     * The same MLP holding its children in fields typed by a Linear subclass, which no wrapper can
     * fill: adapters take the weight path.
     */
    public static final class TypedMlp extends AbstractBlock {
        public final MyLinear lin0;
        public final MyLinear lin1;

        public TypedMlp() {
            lin0 = addChildBlock("lin0", new MyLinear(20));
            lin1 = addChildBlock("lin1", new MyLinear(2));
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
            NDList h = lin0.forward(ps, in, training, params);
            h = new NDList(Activation.relu(h.head()));
            NDArray y = lin1.forward(ps, h, training, params).head();
            return new NDList(y.logSoftmax(-1));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] in) {
            return new Shape[] {new Shape(in[0].get(0), 2)};
        }

        @Override
        protected void initializeChildBlocks(NDManager m, DataType t, Shape... in) {
            lin0.initialize(m, t, in);
            lin1.initialize(m, t, new Shape(in[0].get(0), 20));
        }
    }

    /** The MLP with plain {@code Linear}-typed fields, as most DJL blocks declare them. */
    public static final class LinearFieldMlp extends AbstractBlock {
        public final Linear lin0;
        public final Linear lin1;

        public LinearFieldMlp() {
            lin0 = addChildBlock("lin0", Linear.builder().setUnits(20).build());
            lin1 = addChildBlock("lin1", Linear.builder().setUnits(2).build());
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
            NDList h = lin0.forward(ps, in, training, params);
            h = new NDList(Activation.relu(h.head()));
            return new NDList(lin1.forward(ps, h, training, params).head().logSoftmax(-1));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] in) {
            return new Shape[] {new Shape(in[0].get(0), 2)};
        }

        @Override
        protected void initializeChildBlocks(NDManager m, DataType t, Shape... in) {
            lin0.initialize(m, t, in);
            lin1.initialize(m, t, new Shape(in[0].get(0), 20));
        }
    }

    /**
     * Conv2d(5→10, k3) on [-1,5,3,3] → flatten → lin Linear(10,2), PEFT's "Conv2d" toy. The conv sits
     * in a Conv2d-typed field (so it gets the Conv2d wrapper).
     */
    public static final class ConvNet extends AbstractBlock {
        public final Conv2d conv2d;
        public final Block lin0;

        public ConvNet() {
            conv2d = addChildBlock("conv2d", Conv2d.builder().setFilters(10).setKernelShape(new Shape(3, 3)).build());
            lin0 = addChildBlock("lin0", Linear.builder().setUnits(2).build());
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
            NDArray x = in.head().reshape(-1, 5, 3, 3);
            NDArray h = conv2d.forward(ps, new NDList(x), training, params).head();
            h = h.reshape(h.getShape().get(0), -1);
            return lin0.forward(ps, new NDList(h), training, params);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] in) {
            return new Shape[] {new Shape(in[0].size() / 45, 2)};
        }

        @Override
        protected void initializeChildBlocks(NDManager m, DataType t, Shape... in) {
            long n = in[0].size() / 45;
            conv2d.initialize(m, t, new Shape(n, 5, 3, 3));
            lin0.initialize(m, t, new Shape(n, 10));
        }
    }

    /** PEFT's input: arange(90).view(9,10) as float. */
    public static NDArray mlpInput(NDManager m) {
        return m.arange(90f).reshape(9, 10);
    }

    /** Initializes {@code b} in {@code m} for {@code shape}. */
    public static <B extends Block> B init(B b, NDManager m, Shape shape) {
        b.initialize(m, DataType.FLOAT32, shape);
        return b;
    }

    /** Inference forward. */
    public static NDArray run(Block b, NDArray x) {
        return b.forward(new ParameterStore(x.getManager(), false), new NDList(x), false).head();
    }

    /** Copies an array to a float[]. */
    public static float[] values(NDArray a) {
        return a.toFloatArray();
    }

    /** Max |a-b|. */
    public static double maxDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("length " + a.length + " vs " + b.length);
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    /** torch.allclose: |a-b| <= atol + rtol*|b| everywhere. */
    public static boolean allClose(float[] a, float[] b, double rtol, double atol) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(a[i] - b[i]) <= atol + rtol * Math.abs(b[i]))) {
                return false;
            }
        }
        return true;
    }
}
