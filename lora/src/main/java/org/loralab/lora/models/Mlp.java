package org.loralab.lora.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A multi-layer perceptron whose layers are named like PEFT's test MLP: {@code lin0, lin1, ...} with
 * {@code drop0, drop1, ...} after each hidden activation (only when the dropout rate is above 0).
 *
 * <pre>{@code
 * Mlp mlp = Mlp.builder().addHidden(20).setOutputs(2).optDropout(0.5f).optLogSoftmax(true).build();
 * }</pre>
 * The input size is inferred at {@code initialize}, as for DJL's {@code Linear}.
 */
public final class Mlp extends ChainedBlock {

    private final UnaryOperator<NDArray> activation;
    private final boolean logSoftmax;

    private Mlp(Builder b) {
        this.activation = b.activation;
        this.logSoftmax = b.logSoftmax;
        for (int i = 0; i <= b.hidden.size(); i++) {
            long units = i < b.hidden.size() ? b.hidden.get(i) : b.outputs;
            addChildBlock("lin" + i, Linear.builder().setUnits(units).optBias(b.bias).build());
            if (i < b.hidden.size() && b.dropout > 0f) {
                addChildBlock("drop" + i, Dropout.builder().optRate(b.dropout).build());
            }
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = inputs;
        int linearsSeen = 0;
        int linearCount = (int) children.values().stream().filter(c -> !(c instanceof Dropout)).count();
        // walk the children list (not the field) so a block swapped in by an injector is used
        for (Block child : children.values()) {
            x = child.forward(ps, x, training, params);
            if (!(child instanceof Dropout)) {
                linearsSeen++;
                if (linearsSeen < linearCount) {
                    x = new NDList(activation.apply(x.singletonOrThrow()));
                }
            }
        }
        if (logSoftmax) {
            x = new NDList(x.singletonOrThrow().logSoftmax(-1));
        }
        return x;
    }

    /** Builder in DJL style. */
    public static final class Builder {
        private final List<Long> hidden = new ArrayList<>();
        private long outputs = -1;
        private float dropout;
        private boolean bias = true;
        private boolean logSoftmax;
        private UnaryOperator<NDArray> activation = Activation::relu;

        /** Adds a hidden layer of {@code units} outputs (followed by the activation). */
        public Builder addHidden(long units) {
            if (units <= 0) {
                throw new IllegalArgumentException("hidden units must be positive, got " + units);
            }
            hidden.add(units);
            return this;
        }

        public Builder setOutputs(long units) {
            this.outputs = units;
            return this;
        }

        /** Dropout after each hidden activation; 0 (the default) adds no dropout block. */
        public Builder optDropout(float rate) {
            if (rate < 0f || rate >= 1f) {
                throw new IllegalArgumentException("dropout must be in [0, 1), got " + rate);
            }
            this.dropout = rate;
            return this;
        }

        public Builder optBias(boolean bias) {
            this.bias = bias;
            return this;
        }

        public Builder optLogSoftmax(boolean logSoftmax) {
            this.logSoftmax = logSoftmax;
            return this;
        }

        /** Activation after each hidden layer (default ReLU). */
        public Builder optActivation(UnaryOperator<NDArray> activation) {
            this.activation = activation;
            return this;
        }

        public Mlp build() {
            if (outputs <= 0) {
                throw new IllegalArgumentException("call setOutputs(n) with n > 0 before build()");
            }
            return new Mlp(this);
        }
    }
}
