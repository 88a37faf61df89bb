package org.loralab.lora.hf.vit;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;

import java.util.Map;
import java.util.Set;

import org.loralab.lora.hf.HfConfig;
import org.loralab.lora.hf.HfModel;
import org.loralab.lora.hf.LoadOptions;
import org.loralab.lora.io.safetensors.TensorSource;
import org.loralab.lora.models.Vit;
import org.loralab.lora.models.VitConfig;

/**
 * A loaded bare {@code ViTModel} (transformers' {@code add_pooling_layer=True} default): module paths
 * {@code embeddings...}, {@code encoder.layer.N...}, {@code layernorm}, {@code pooler.dense}. A checkpoint without
 * pooler tensors is loaded without a pooler.
 */
public final class VitBackbone extends HfModel {
    private final Model model;
    private final VitConfig vit;
    private final boolean pooler;

    private VitBackbone(HfConfig config, Model model, VitConfig vit, boolean pooler) {
        super(config, "vit");
        this.model = model;
        this.vit = vit;
        this.pooler = pooler;
    }

    static VitBackbone load(HfConfig config, VitHfConfig v, TensorSource weights, LoadOptions options) {
        boolean pooler = weights.tensors().containsKey("pooler.dense.weight");
        Model model = VitWeights.load("vit-model", Vit.model(v.vit(), pooler), v.vit(), weights,
                options, Map.of(), Set.of());
        return new VitBackbone(config, model, v.vit(), pooler);
    }

    @Override
    public Model model() {
        return model;
    }

    public VitConfig vitConfig() {
        return vit;
    }

    public boolean hasPooler() {
        return pooler;
    }

    /** last_hidden_state [B, tokens, hidden] and, with a pooler, pooler_output [B, hidden], as float32. */
    public NDList forward(NDManager manager, NDArray pixelValues) {
        DataType dtype = model.getDataType();
        NDArray x = pixelValues.getDataType() == dtype ? pixelValues : pixelValues.toType(dtype, false);
        NDList out = block().forward(new ParameterStore(manager, false), new NDList(x), false);
        NDList f32 = new NDList();
        for (NDArray a : out) {
            f32.add(a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false));
        }
        return f32;
    }
}
