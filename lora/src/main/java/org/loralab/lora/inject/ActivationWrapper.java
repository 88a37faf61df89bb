package org.loralab.lora.inject;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;
import java.util.Map;
import org.loralab.lora.variant.AdapterInput;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.LayerAdapter;
import org.loralab.lora.variant.LayerKind;
import org.loralab.lora.variant.ParamSource;

/**
 * An activation-path wrapper: stands in the tree where the base layer was and computes
 * {@code y = base(x) + Σ adapter(x)}. Implemented by {@link AdapterBlock} (any Block-typed slot) and
 * by {@link LinearAdapterBlock}/{@link Conv2dAdapterBlock} (slots typed Linear/Conv2d).
 */
interface ActivationWrapper extends Wrapper {
    /** The adapted layer this wrapper runs. */
    AdaptedLayer layer();

    /** Binds the layer (once, at installation). */
    void bind(AdaptedLayer layer);

    /** The wrapper's live direct-parameter map (adapter tensors under PEFT in-memory names). */
    Map<String, Parameter> parameterMap();

    default void addParams(String adapterName, List<AdapterParam> params) {
        for (AdapterParam p : params) {
            parameterMap().put(p.inMemoryKey(adapterName), p.parameter());
        }
    }

    default void removeParams(String adapterName, List<AdapterParam> params) {
        for (AdapterParam p : params) {
            parameterMap().remove(p.inMemoryKey(adapterName));
        }
    }

    /** The shared forward: base output plus every running adapter's term, in fp32 for float inputs. */
    static NDList forward(AdaptedLayer layer, Block base, ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDList out = layer.base.weightSource() == null ? base.forward(ps, inputs, training, params)
                : sourcedBaseForward(layer.base, ps, inputs, training);
        List<LayerAdapter> run = layer.running();
        if (run.isEmpty()) {
            return out;
        }
        NDArray x = inputs.head();
        Device device = x.getDevice();
        ParamSource src = p -> ps.getValue(p, device, training);
        NDArray baseOut = out.head();
        DataType outType = baseOut.getDataType();
        if (layer.base.kind() != LayerKind.EMBEDDING && x.getDataType() != DataType.FLOAT32) {
            x = x.toType(DataType.FLOAT32, false);
        }
        NDArray y;
        if (training) {
            y = baseOut;
            for (LayerAdapter a : run) {
                NDArray d = a.forward(new AdapterInput(x, baseOut, true, src));
                y = y.add(d.getDataType() == outType ? d : d.toType(outType, false));
            }
        } else {
            // inference: every term first (DoRA reads the untouched base output), then summed into the
            // base output in place, which saves one [N, out] allocation and pass per adapter
            NDArray[] terms = new NDArray[run.size()];
            for (int i = 0; i < terms.length; i++) {
                terms[i] = run.get(i).forward(new AdapterInput(x, baseOut, false, src));
            }
            y = baseOut;
            for (NDArray d : terms) {
                y = y.addi(d.getDataType() == outType ? d : d.toType(outType, false));
            }
        }
        NDList res = new NDList(out.size());
        res.add(y);
        for (int i = 1; i < out.size(); i++) {
            res.add(out.get(i));
        }
        return res;
    }

    /**
     * The base op with W materialised by the layer's weight source into a scratch manager that closes right
     * after the op: the dense W lives for this call only (autograd keeps its storage until backward when the
     * input needs a gradient), nothing stays on the model's or the batch's manager but the output.
     */
    private static NDList sourcedBaseForward(DjlBaseLayer base, ParameterStore ps, NDList inputs, boolean training) {
        NDArray x = inputs.singletonOrThrow();
        NDManager owner = x.getManager();
        try (NDManager scratch = owner.newSubManager()) {
            NDArray w = base.weightSource().materialize(scratch);
            NDArray b = base.bias() == null ? null : ps.getValue(base.bias(), x.getDevice(), training);
            NDArray y = base.apply(x, w, b);
            y.attach(owner);
            return new NDList(y);
        }
    }

    /** DJL's saveParameters of a wrapper, with the base W dense while it is written. */
    default void saveWithDenseBase(DjlBaseLayer.IoStep superSave) throws java.io.IOException {
        try {
            DjlBaseLayer.withDenseWeights(java.util.List.of(layer().base), superSave);
        } catch (ai.djl.MalformedModelException e) {
            throw new IllegalStateException(e); // saving does not parse a model
        }
    }

    /** DJL's loadParameters of a wrapper: the loaded W goes to the weight source, if any. */
    default void loadWithDenseBase(DjlBaseLayer.IoStep superLoad)
            throws java.io.IOException, ai.djl.MalformedModelException {
        DjlBaseLayer.withDenseWeights(java.util.List.of(layer().base), superLoad);
    }
}
