package org.loralab.lora.hf.vit;

import ai.djl.Model;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.initializer.Initializer;

import java.util.Map;
import java.util.Set;

import org.loralab.lora.hf.LoadOptions;
import org.loralab.lora.hf.StateDicts;
import org.loralab.lora.io.safetensors.TensorSource;
import org.loralab.lora.models.VitConfig;

/** Builds the DJL model around a ViT block and loads a checkpoint into it; on any failure the model is closed. */
final class VitWeights {
    private VitWeights() {}

    /**
     * A model whose parameters start at zero (no random init to pay for, and untouched pages cost no memory) and
     * are then overwritten tensor by tensor from {@code weights}.
     */
    static Model load(String name, Block block, VitConfig c, TensorSource weights, LoadOptions options,
            Map<String, String> renames, Set<String> ignore) {
        Model model = options.device() == null ? Model.newInstance(name) : Model.newInstance(name, options.device());
        try {
            model.setDataType(options.dtype());
            model.setBlock(block);
            block.setInitializer(Initializer.ZEROS, p -> true);
            block.initialize(model.getNDManager(), options.dtype(),
                    new Shape(1, c.channels(), c.imageSize(), c.imageSize()));
            StateDicts.load(block, weights, options.dtype(), renames, ignore);
            return model;
        } catch (RuntimeException | Error e) {
            model.close();
            throw e;
        }
    }
}
