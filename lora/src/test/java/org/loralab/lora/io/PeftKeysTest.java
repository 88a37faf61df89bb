package org.loralab.lora.io;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.modality.nlp.DefaultVocabulary;
import ai.djl.modality.nlp.embedding.TrainableWordEmbedding;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.io.safetensors.Safetensors;
import org.loralab.lora.io.safetensors.TensorSource;
import org.loralab.lora.testing.Toy;

/**
 * The tensor names we write are PEFT's (get_peft_model_state_dict: adapter name removed, {@code base_model.model.}
 * prefix, DoRA's magnitude without {@code .weight}, modules_to_save copies without {@code modules_to_save.<name>}, a
 * wrapped layer's bias under {@code base_layer}), and a file with PEFT's names loads.
 */
class PeftKeysTest {
    @TempDir
    Path dir;
    private NDManager m;
    private NDArray x;

    @BeforeEach
    void setUp() {
        m = NDManager.newBaseManager();
        x = Toy.mlpInput(m);
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    private float[][] base;

    /** An MLP; every call after the first has the first one's base weights. */
    private Toy.Mlp mlp() {
        Toy.Mlp mlp = Toy.init(new Toy.Mlp(), m, new Shape(9, 10));
        var params = mlp.getParameters();
        if (base == null) {
            base = new float[params.size()][];
            for (int i = 0; i < params.size(); i++) {
                base[i] = params.valueAt(i).getArray().toFloatArray();
            }
        } else {
            for (int i = 0; i < params.size(); i++) {
                params.valueAt(i).getArray().set(base[i]);
            }
        }
        return mlp;
    }

    private Set<String> savedKeys(AdaptedModel am) {
        am.save(dir, "default");
        try (TensorSource src = Safetensors.open(dir.resolve(AdapterFiles.WEIGHTS))) {
            return new TreeSet<>(src.tensors().keySet());
        }
    }

    @Test
    void biasAllSavesAWrappedLayersBiasUnderBaseLayer() {
        AdaptedModel am = AdaptedModel.inject(mlp(), AdapterConfig.builder().r(2).targetModules("lin0").bias("all").build());
        assertEquals(new TreeSet<>(List.of("base_model.model.lin0.base_layer.bias", "base_model.model.lin0.lora_A.weight",
                "base_model.model.lin0.lora_B.weight", "base_model.model.lin1.bias")), savedKeys(am),
                "PEFT's key for the bias of a layer holding an adapter is <path>.base_layer.bias; unwrapped lin1 keeps lin1.bias");
    }

    @Test
    void biasLoraOnlySavesOnlyWrappedLayersBiases() {
        AdaptedModel am = AdaptedModel.inject(mlp(), AdapterConfig.builder().r(2).targetModules("lin0").bias("lora_only").build());
        assertEquals(new TreeSet<>(List.of("base_model.model.lin0.base_layer.bias", "base_model.model.lin0.lora_A.weight",
                "base_model.model.lin0.lora_B.weight")), savedKeys(am));
    }

    @Test
    void loadsBothBiasSpellingsAndCopiesTheBias() throws Exception {
        Toy.Mlp src = mlp();
        AdaptedModel am = AdaptedModel.inject(src, AdapterConfig.builder().r(2).targetModules("lin0").bias("all").init(false).build());
        String key = "base_model.model.lin0.base_layer.bias";
        NDArray bias = am.adapterTensors("default").get(key).parameter().getArray();
        bias.setRequiresGradient(false);
        bias.set(new float[20]);
        bias.addi(0.75f);
        float[] out = Toy.run(am.block(), x).toFloatArray();
        am.save(dir, "default");
        for (boolean oldSpelling : new boolean[] {false, true}) {
            if (oldSpelling) {
                AdapterFilesTest.renameWeight(dir, "base_model.model.lin0.base_layer.bias", "base_model.model.lin0.bias");
            }
            AdaptedModel dst = AdaptedModel.of(mlp());
            dst.load(dir, "default");
            assertArrayEquals(out, Toy.run(dst.block(), x).toFloatArray(), 1e-6f, "old spelling: " + oldSpelling);
            assertEquals(0.75f, dst.adapterTensors("default").get(key).parameter().getArray().toFloatArray()[3]);
        }
    }

    @Test
    void aFileWrittenWithPeftsNamesLoads() throws Exception {
        // the layout get_peft_model_state_dict gives for LoraConfig(r=2, target_modules=["lin0"], bias="all",
        // modules_to_save=["lin1"]) on this MLP: lora_A [r, in], lora_B [out, r], base_layer bias, the saved copy
        Map<String, NDArray> peft = new LinkedHashMap<>();
        peft.put("base_model.model.lin0.lora_A.weight", m.randomNormal(new Shape(2, 10)));
        peft.put("base_model.model.lin0.lora_B.weight", m.randomNormal(new Shape(20, 2)));
        peft.put("base_model.model.lin0.base_layer.bias", m.randomNormal(new Shape(20)));
        peft.put("base_model.model.lin1.weight", m.randomNormal(new Shape(2, 20)));
        peft.put("base_model.model.lin1.bias", m.randomNormal(new Shape(2)));
        Files.writeString(dir.resolve(AdapterFiles.CONFIG), "{\"peft_type\": \"LORA\", \"r\": 2, \"lora_alpha\": 4, "
                + "\"target_modules\": [\"lin0\"], \"bias\": \"all\", \"modules_to_save\": [\"lin1\"], \"task_type\": null, "
                + "\"lora_dropout\": 0.0, \"use_rslora\": false, \"use_dora\": false, \"init_lora_weights\": true, "
                + "\"rank_pattern\": {}, \"alpha_pattern\": {}, \"fan_in_fan_out\": false, \"inference_mode\": true}");
        Safetensors.write(dir.resolve(AdapterFiles.WEIGHTS), peft, Map.of());
        AdaptedModel am = AdaptedModel.of(mlp());
        am.load(dir, "default");
        var t = am.adapterTensors("default");
        assertEquals(peft.keySet(), t.keySet());
        for (String k : peft.keySet()) {
            assertArrayEquals(peft.get(k).toFloatArray(), t.get(k).parameter().getArray().toFloatArray(), k);
        }
    }

    @Test
    void doraMagnitudeAndLoraBiasKeys() {
        AdaptedModel dora = AdaptedModel.inject(mlp(), AdapterConfig.builder().useDora(true).r(2).targetModules("lin0").build());
        assertEquals(new TreeSet<>(List.of("base_model.model.lin0.lora_A.weight", "base_model.model.lin0.lora_B.weight",
                "base_model.model.lin0.lora_magnitude_vector")), savedKeys(dora), "PEFT strips .weight from the magnitude");
        AdaptedModel lb = AdaptedModel.inject(mlp(), AdapterConfig.builder().loraBias(true).r(2).targetModules("lin0").build());
        assertTrue(savedKeys(lb).contains("base_model.model.lin0.lora_B.bias"));
    }

    @Test
    void embeddingKeysAreRawParameters() {
        EmbNet net = Toy.init(new EmbNet(12, 5), m, new Shape(4));
        long vocab = net.emb.getDirectParameters().get("embedding").getArray().getShape().get(0);
        AdaptedModel am = AdaptedModel.inject(net, AdapterConfig.builder().r(3).targetModules("emb").build());
        assertEquals(new TreeSet<>(List.of("base_model.model.emb.lora_embedding_A", "base_model.model.emb.lora_embedding_B")),
                savedKeys(am));
        try (TensorSource src = Safetensors.open(dir.resolve(AdapterFiles.WEIGHTS))) {
            assertArrayEquals(new long[] {3, vocab}, src.tensors().get("base_model.model.emb.lora_embedding_A").shape());
            assertArrayEquals(new long[] {5, 3}, src.tensors().get("base_model.model.emb.lora_embedding_B").shape());
            assertEquals(DataType.FLOAT32, src.read("base_model.model.emb.lora_embedding_B", m, DataType.FLOAT32).getDataType());
        }
    }

    /** An embedding-only network ("emb"). */
    static final class EmbNet extends AbstractBlock {
        final Block emb;

        EmbNet(int vocab, int dim) {
            List<String> words = new ArrayList<>();
            for (int i = 0; i < vocab; i++) {
                words.add("w" + i);
            }
            emb = addChildBlock("emb", new TrainableWordEmbedding(new DefaultVocabulary(words), dim));
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
            return emb.forward(ps, in, training, params);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] in) {
            return emb.getOutputShapes(in);
        }

        @Override
        protected void initializeChildBlocks(NDManager mm, DataType t, Shape... in) {
            emb.initialize(mm, t, in);
        }
    }
}
