package org.loralab.lora.inject;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterServer;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.LayerAdapter;
import org.loralab.lora.variant.ParamSource;

/**
 * Weight-path wrapper around an ancestor block whose fields cannot hold an {@link AdapterBlock}
 * (e.g. DJL's ScaledDotProductAttentionBlock keeps {@code private Linear queryProjection}). The
 * ancestor runs with a ParameterStore that hands each adapted layer {@code W' = W + ΔW} instead of W,
 * so gradients reach the adapter through W'. Input dropout cannot be applied on this path.
 */
final class WeightPathBlock extends AbstractBlock implements Wrapper {
    private static final byte VERSION = 1;

    final Block inner;
    final Map<Parameter, AdaptedLayer> layers = new IdentityHashMap<>();
    final Map<Parameter, AdaptedLayer> biases = new IdentityHashMap<>();

    WeightPathBlock(Block inner) {
        super(VERSION);
        this.inner = inner;
        children.add("inner", inner);
        inputShapes = inner.getInputShapes();
    }

    @Override
    public Block wrapped() {
        return inner;
    }

    void addParams(String path, String adapterName, List<AdapterParam> params) {
        for (AdapterParam p : params) {
            parameters.put(path + "." + p.inMemoryKey(adapterName), p.parameter());
        }
    }

    void removeParams(String path, String adapterName, List<AdapterParam> params) {
        for (AdapterParam p : params) {
            parameters.remove(path + "." + p.inMemoryKey(adapterName));
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        boolean any = false;
        boolean sourced = false;
        for (AdaptedLayer l : layers.values()) {
            any |= !l.running().isEmpty();
            sourced |= l.base.weightSource() != null;
        }
        if (!sourced) {
            return inner.forward(any ? new DeltaStore(ps, null) : ps, inputs, training, params);
        }
        // sourced weights are materialised into a scratch manager that closes after this forward
        NDManager owner = inputs.head().getManager();
        try (NDManager scratch = owner.newSubManager()) {
            NDList out = inner.forward(new DeltaStore(ps, scratch), inputs, training, params);
            for (NDArray a : out) {
                if (a.getManager() == scratch) {
                    a.attach(owner);
                }
            }
            return out;
        }
    }

    @Override
    public void saveParameters(java.io.DataOutputStream os) throws java.io.IOException {
        try {
            DjlBaseLayer.withDenseWeights(bases(), () -> super.saveParameters(os));
        } catch (ai.djl.MalformedModelException e) {
            throw new IllegalStateException(e); // saving does not parse a model
        }
    }

    @Override
    public void loadParameters(NDManager manager, java.io.DataInputStream is)
            throws java.io.IOException, ai.djl.MalformedModelException {
        DjlBaseLayer.withDenseWeights(bases(), () -> super.loadParameters(manager, is));
    }

    private List<DjlBaseLayer> bases() {
        List<DjlBaseLayer> out = new java.util.ArrayList<>();
        for (AdaptedLayer l : layers.values()) {
            out.add(l.base);
        }
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] in) {
        return inner.getOutputShapes(in);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
        inner.initialize(manager, dataType, shapes);
    }

    /** Hands out W + ΔW for adapted weights (W from the weight source when there is one), everything else unchanged. */
    private final class DeltaStore extends ParameterStore {
        private final ParameterStore real;
        private final NDManager scratch;

        DeltaStore(ParameterStore real, NDManager scratch) {
            super(real.getManager(), false);
            this.real = real;
            this.scratch = scratch;
        }

        @Override
        public NDArray getValue(Parameter p, Device device, boolean training) {
            AdaptedLayer l = p == null ? null : layers.get(p);
            NDArray w = l != null && l.base.weightSource() != null
                    ? l.base.weightSource().materialize(scratch).toDevice(device, false)
                    : real.getValue(p, device, training);
            if (p == null) {
                return w;
            }
            AdaptedLayer lb = l == null ? biases.get(p) : null;
            if (l == null && lb == null) {
                return w;
            }
            ParamSource src = q -> real.getValue(q, device, training);
            for (LayerAdapter a : (l != null ? l : lb).running()) {
                w = l != null ? a.effectiveWeight(w, src) : a.effectiveBias(w, src);
            }
            return w;
        }

        @Override
        public NDManager getManager() {
            return real.getManager();
        }

        @Override
        public void updateAllParameters() {
            real.updateAllParameters();
        }

        @Override
        public void sync() {
            real.sync();
        }

        @Override
        public void setParameterServer(ParameterServer server, Device[] devices) {
            real.setParameterServer(server, devices);
        }
    }
}
