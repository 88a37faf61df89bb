package org.loralab.lora.hf.vit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

import ai.djl.ndarray.NDManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loralab.lora.hf.HfConfig;
import org.loralab.lora.hf.HfModels;
import org.loralab.lora.hf.LoadOptions;
import org.loralab.lora.hf.VitFixtures;
import org.loralab.lora.io.safetensors.Safetensors;
import org.loralab.lora.io.safetensors.TensorInfo;
import org.loralab.lora.io.safetensors.TensorSource;
import org.loralab.lora.testing.ManagedTest;

/** Configs and checkpoints that must be refused in one line naming the key, or the file and the tensor. */
class VitBadInputTest extends ManagedTest {
    @TempDir
    Path tmp;
    private int copies;

    private Path copy() {
        return VitFixtures.copy("classifier", tmp.resolve("model" + copies++));
    }

    private Path withConfig(UnaryOperator<String> edit) throws IOException {
        Path dir = copy();
        Path config = dir.resolve("config.json");
        Files.writeString(config, edit.apply(Files.readString(config)));
        return dir;
    }

    private static String refusal(Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HfModels.load(dir, LoadOptions.defaults()).close());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    private static void assertHas(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "'" + p + "' not in: " + message);
        }
    }

    @Test
    void unsupportedHiddenActIsRefusedByName() throws IOException {
        String msg = refusal(withConfig(s -> s.replace("\"hidden_act\": \"gelu\"", "\"hidden_act\": \"gelu_10\"")));
        assertHas(msg, "config.json", "hidden_act", "gelu_10", "gelu_new");
    }

    @Test
    void nonSquareImageSizeIsRefusedByName() throws IOException {
        assertHas(refusal(withConfig(s -> s.replace("\"image_size\": 32", "\"image_size\": [32, 16]"))),
                "image_size", "square");
    }

    @Test
    void otherPoolerActivationIsRefusedByName() throws IOException {
        assertHas(refusal(withConfig(s -> s.replace("\"model_type\"", "\"pooler_act\": \"relu\", \"model_type\""))),
                "pooler_act", "relu");
    }

    @Test
    void wronglyTypedFieldNamesKeyAndType() throws IOException {
        assertHas(refusal(withConfig(s -> s.replace("\"qkv_bias\": true", "\"qkv_bias\": \"yes\""))),
                "qkv_bias", "true or false");
        assertHas(refusal(withConfig(s -> s.replace("\"hidden_size\": 24", "\"hidden_size\": 24.5"))),
                "hidden_size", "an integer");
    }

    @Test
    void unsupportedArchitectureListsTheSupportedOnes() throws IOException {
        assertHas(refusal(withConfig(s -> s.replace("\"ViTForImageClassification\"", "\"ViTForMaskedImageModeling\""))),
                "ViTForMaskedImageModeling", "not supported", "ViTForImageClassification", "ViTModel");
    }

    @Test
    void missingConfigIsOneLine() throws IOException {
        Path dir = copy();
        Files.delete(dir.resolve("config.json"));
        assertHas(refusal(dir), "config.json");
    }

    /** intermediate_size 40 in config.json, 32 in the weights. */
    @Test
    void shapeDisagreeingWithConfigNamesFileAndTensor() throws IOException {
        String msg = refusal(withConfig(s -> s.replace("\"intermediate_size\": 32", "\"intermediate_size\": 40")));
        assertHas(msg, "model.safetensors", "vit.encoder.layer.0.intermediate.dense.bias", "[32]", "[40]");
    }

    @Test
    void missingTensorNamesTheTensor() throws IOException {
        String msg = refusal(rewriteWeights(t -> {
            t.remove("vit.layernorm.bias");
            return t;
        }));
        assertHas(msg, "missing tensor", "vit.layernorm.bias");
    }

    @Test
    void unexpectedTensorNamesFileAndTensor() throws IOException {
        String msg = refusal(rewriteWeights(t -> {
            t.put("vit.encoder.layer.7.output.dense.weight", t.get("vit.encoder.layer.0.output.dense.weight"));
            return t;
        }));
        assertHas(msg, "model.safetensors", "unexpected tensor", "vit.encoder.layer.7.output.dense.weight");
    }

    @Test
    void integerTensorIsRefused() throws IOException {
        String msg = refusal(rewriteWeights(t -> {
            t.put("classifier.bias", t.get("classifier.bias").toType(DataType.INT64, false));
            return t;
        }));
        assertHas(msg, "classifier.bias", "I64");
    }

    @Test
    void pickleCheckpointIsRefused() throws IOException {
        Path dir = copy();
        Files.move(dir.resolve("model.safetensors"), dir.resolve("pytorch_model.bin"));
        assertHas(refusal(dir), "pytorch_model.bin", "safetensors");
    }

    /** A read failing half-way through the copy closes the model: nothing half-loaded survives. */
    @Test
    void failureWhileCopyingClosesTheModel() {
        Path dir = VitFixtures.dir("classifier");
        HfConfig config = HfConfig.read(dir.resolve("config.json"));
        List<NDManager> modelManagers = new ArrayList<>();
        try (TensorSource real = Safetensors.openCheckpoint(dir)) {
            TensorSource failing = new TensorSource() {
                int reads;

                @Override
                public Map<String, TensorInfo> tensors() {
                    return real.tensors();
                }

                @Override
                public Map<String, String> metadata() {
                    return real.metadata();
                }

                @Override
                public NDArray read(String name, NDManager manager, DataType target) {
                    modelManagers.add(manager);
                    if (++reads == 5) {
                        throw new UncheckedIOException(new IOException("disk went away"));
                    }
                    return real.read(name, manager, target);
                }

                @Override
                public Path file(String name) {
                    return real.file(name);
                }

                @Override
                public void close() {}
            };
            assertThrows(UncheckedIOException.class, () -> new VitFamily().load(config, failing,
                    LoadOptions.defaults()));
        }
        assertEquals(5, modelManagers.size());
        assertFalse(modelManagers.get(0).isOpen(), "the model's manager must be closed after a failed load");
    }

    private Path rewriteWeights(UnaryOperator<Map<String, NDArray>> edit) throws IOException {
        Path dir = copy();
        Path file = dir.resolve("model.safetensors");
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        try (TensorSource src = Safetensors.open(file)) {
            for (String name : src.tensors().keySet()) {
                tensors.put(name, src.read(name, m, DataType.FLOAT32));
            }
        }
        Safetensors.write(file, edit.apply(tensors), Map.of("format", "pt"));
        return dir;
    }
}
