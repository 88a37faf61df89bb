package org.loralab.lora.hf.vit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.loralab.lora.hf.VitFixtures.assertClose;
import static org.loralab.lora.hf.VitFixtures.floats;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

import com.google.gson.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.loralab.lora.hf.HfModel;
import org.loralab.lora.hf.HfModels;
import org.loralab.lora.hf.LoadOptions;
import org.loralab.lora.hf.StateDicts;
import org.loralab.lora.hf.VitFixtures;
import org.loralab.lora.io.safetensors.Safetensors;
import org.loralab.lora.io.safetensors.TensorSource;
import org.loralab.lora.testing.ManagedTest;

/** The tiny ViT checkpoints against the independent Python forward of make_vit_fixture.py. */
class VitCheckpointTest extends ManagedTest {
    private static final JsonObject EXPECTED = VitFixtures.expected();

    private float[] logits(String name, LoadOptions options) {
        try (VitImageClassifier vit = VitImageClassifier.load(VitFixtures.dir(name), options)) {
            NDArray y = vit.logits(m, VitFixtures.pixels(m, 2, 3, 32));
            assertEquals(new Shape(2, 5), y.getShape());
            return y.toFloatArray();
        }
    }

    private static float[] expectedLogits(String name) {
        return floats(EXPECTED.getAsJsonObject(name).getAsJsonArray("logits"));
    }

    @Test
    void f32CheckpointGivesTheReferenceLogits() {
        assertClose(expectedLogits("classifier"), logits("classifier", LoadOptions.defaults()), 1e-4, "F32 logits");
    }

    /** F16 / BF16 tensors are widened to fp32 on load: compare with the reference on the same rounded weights. */
    @Test
    void halfPrecisionCheckpointsLoadIntoFp32() {
        for (String name : List.of("classifier-f16", "classifier-bf16")) {
            assertClose(expectedLogits(name), logits(name, LoadOptions.defaults()), 1e-4, name + " logits");
        }
        float[] f32 = expectedLogits("classifier");
        float[] bf16 = expectedLogits("classifier-bf16");
        double moved = 0;
        for (int i = 0; i < f32.length; i++) {
            moved = Math.max(moved, Math.abs(f32[i] - bf16[i]));
        }
        assertTrue(moved > 1e-3, "the BF16 weights must differ from F32 for this test to mean anything: " + moved);
    }

    @Test
    void shardedCheckpointLoadsTheSameWeightsAsTheSingleFile() {
        try (TensorSource file = Safetensors.open(VitFixtures.dir("classifier").resolve("model.safetensors"));
                HfModel single = HfModels.load(VitFixtures.dir("classifier"), LoadOptions.defaults());
                HfModel sharded = HfModels.load(VitFixtures.dir("classifier-sharded"), LoadOptions.defaults())) {
            // the loaded parameters must own (or keep alive) their storage: collect the readers' buffers first
            System.gc();
            System.runFinalization();
            Map<String, Parameter> a = StateDicts.parameters(single.block());
            Map<String, Parameter> b = StateDicts.parameters(sharded.block());
            assertEquals(a.keySet(), b.keySet());
            for (String name : a.keySet()) {
                assertTrue(a.get(name).getArray().contentEquals(b.get(name).getArray()), name);
                assertTrue(file.read(name, m, DataType.FLOAT32).contentEquals(a.get(name).getArray()), name);
            }
        }
        assertClose(expectedLogits("classifier"), logits("classifier-sharded", LoadOptions.defaults()), 1e-4,
                "sharded logits");
    }

    /** The model's state-dict names are exactly the checkpoint's tensor names (transformers' module paths). */
    @Test
    void stateDictNamesAreTheCheckpointsTensorNames() {
        try (HfModel vit = HfModels.load(VitFixtures.dir("classifier"), LoadOptions.defaults());
                TensorSource src = Safetensors.open(VitFixtures.dir("classifier").resolve("model.safetensors"))) {
            assertEquals(new TreeSet<>(src.tensors().keySet()),
                    new TreeSet<>(StateDicts.parameters(vit.block()).keySet()));
            assertTrue(src.tensors().containsKey("vit.encoder.layer.1.attention.attention.query.weight"));
            assertTrue(src.tensors().containsKey("vit.embeddings.patch_embeddings.projection.weight"));
            assertFalse(src.tensors().keySet().stream().anyMatch(n -> n.contains("pooler")),
                    "ViTForImageClassification has no pooler");
            assertEquals("vit", vit.family());
        }
    }

    /** ViTModel with its pooler, gelu_new, qkv_bias false and layer_norm_eps 1e-6. */
    @Test
    void backboneWithPoolerGivesTheReferenceHiddenStates() {
        try (HfModel model = HfModels.load(VitFixtures.dir("backbone"), LoadOptions.defaults())) {
            VitBackbone vit = assertInstanceOf(VitBackbone.class, model);
            assertTrue(vit.hasPooler());
            Set<String> names = StateDicts.parameters(vit.block()).keySet();
            assertTrue(names.contains("pooler.dense.weight"), names.toString());
            assertFalse(names.contains("encoder.layer.0.attention.attention.key.bias"), "qkv_bias false");
            NDList out = vit.forward(m, VitFixtures.pixels(m, 2, 3, 32));
            JsonObject e = EXPECTED.getAsJsonObject("backbone");
            assertEquals(new Shape(2, 17, 24), out.get(0).getShape());
            assertClose(floats(e.getAsJsonArray("last_hidden_state")), out.get(0).toFloatArray(), 1e-4,
                    "last_hidden_state");
            assertClose(floats(e.getAsJsonArray("pooler_output")), out.get(1).toFloatArray(), 1e-4, "pooler_output");
        }
    }

    @Test
    void predictGivesId2labelLabelsWithTheReferenceProbabilities() {
        float[] logits = floats(EXPECTED.getAsJsonObject("classifier").getAsJsonArray("image-rgb.png logits"));
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i]);
            sum += p[i];
        }
        List<String> labels = List.of("cat", "dog", "frog", "horse", "ship");
        try (VitImageClassifier vit = VitImageClassifier.load(VitFixtures.dir("classifier"))) {
            assertEquals(labels, vit.labels());
            List<Prediction> top = vit.predict(VitFixtures.dir("image-rgb.png"));
            assertEquals(5, top.size());
            for (int i = 0; i < top.size(); i++) {
                Prediction pr = top.get(i);
                assertEquals(labels.get(pr.index()), pr.label());
                assertEquals(p[pr.index()] / sum, pr.probability(), 1e-4, pr.toString());
                if (i > 0) {
                    assertTrue(top.get(i - 1).probability() >= pr.probability());
                }
            }
            assertEquals(2, vit.predict(ImageFile.read("image-rgb.png"), 2).size());
        }
    }

    /** The compute dtype option: FP16 parameters, logits within FP16's precision of the F32 reference. */
    @Test
    void fp16ComputeDtypeHoldsFp16Parameters() {
        LoadOptions fp16 = LoadOptions.builder().dtype(DataType.FLOAT16).build();
        try (HfModel vit = HfModels.load(VitFixtures.dir("classifier"), fp16)) {
            for (Parameter p : StateDicts.parameters(vit.block()).values()) {
                assertEquals(DataType.FLOAT16, p.getArray().getDataType(), p.getName());
            }
        }
        assertClose(expectedLogits("classifier"), logits("classifier", fp16), 2e-2, "FP16 compute logits");
    }

    @Test
    void bf16ComputeIsRefusedInOneLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LoadOptions.builder().dtype(DataType.BFLOAT16));
        assertTrue(e.getMessage().contains("BFLOAT16") && !e.getMessage().contains("\n"), e.getMessage());
    }

    /** A new head on a classifier checkpoint with another label count: the backbone loads, the head is fresh. */
    @Test
    void newLabelsReplaceTheHeadOfAClassifierCheckpoint() {
        List<String> labels = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
        try (VitImageClassifier vit = VitImageClassifier.forNewLabels(VitFixtures.dir("classifier"), labels,
                LoadOptions.defaults());
                TensorSource src = Safetensors.open(VitFixtures.dir("classifier").resolve("model.safetensors"))) {
            Map<String, Parameter> params = StateDicts.parameters(vit.block());
            assertTrue(src.read("vit.layernorm.weight", m, DataType.FLOAT32)
                    .contentEquals(params.get("vit.layernorm.weight").getArray()));
            assertEquals(new Shape(10, 24), params.get("classifier.weight").getArray().getShape());
            assertEquals(labels, vit.labels());
            NDArray head = params.get("classifier.weight").getArray();
            for (long seed : new long[] {0L, 1L}) {
                try (VitImageClassifier again = VitImageClassifier.forNewLabels(VitFixtures.dir("classifier"), labels,
                        LoadOptions.defaults(), seed)) {
                    NDArray other = StateDicts.parameters(again.block()).get("classifier.weight").getArray();
                    assertEquals(seed == 0L, head.contentEquals(other), "the seed draws the head, seed " + seed);
                }
            }
        }
    }

    /** transformers' from_pretrained(..., id2label=new, ignore_mismatched_sizes=True) on a ViTModel checkpoint. */
    @Test
    void newLabelsPutAFreshHeadOnABackboneCheckpoint() {
        List<String> labels = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
        try (VitImageClassifier vit = VitImageClassifier.forNewLabels(VitFixtures.dir("backbone"), labels,
                LoadOptions.defaults());
                TensorSource src = Safetensors.open(VitFixtures.dir("backbone").resolve("model.safetensors"))) {
            Map<String, Parameter> params = StateDicts.parameters(vit.block());
            assertFalse(params.keySet().stream().anyMatch(n -> n.contains("pooler")));
            NDArray cls = src.read("encoder.layer.0.output.dense.weight", m, DataType.FLOAT32);
            assertTrue(cls.contentEquals(params.get("vit.encoder.layer.0.output.dense.weight").getArray()));
            NDArray head = params.get("classifier.weight").getArray();
            assertEquals(new Shape(10, 24), head.getShape());
            double std = Math.sqrt(head.pow(2).mean().getFloat());
            assertTrue(std > 0.01 && std < 0.03, "classifier init std " + std + " (initializer_range 0.02)");
            assertEquals(0f, params.get("classifier.bias").getArray().abs().sum().getFloat());
            assertEquals(labels.get(3), vit.predict(ImageFile.read("image-rgb.png"), 10).stream()
                    .filter(pr -> pr.index() == 3).findFirst().orElseThrow().label());
        }
    }
}
