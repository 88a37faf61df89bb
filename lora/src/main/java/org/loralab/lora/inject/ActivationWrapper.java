package org.loralab.lora.inject;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
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
        NDList out = base.forward(ps, inputs, training, params);
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
}
