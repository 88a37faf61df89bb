package org.loralab.lora.io;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.config.Bias;
import org.loralab.lora.config.LoraInit;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.io.safetensors.Safetensors;
import org.loralab.lora.io.safetensors.TensorSource;
import org.loralab.lora.testing.Toy;
import org.loralab.lora.variant.AdapterParam;

/** adapter_config.json + adapter_model.safetensors in PEFT layout (spec §1.5, §20). */
class AdapterFilesTest {
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

    /** Two MLPs with the same base weights. */
    private Toy.Mlp[] twins() {
        Toy.Mlp a = Toy.init(new Toy.Mlp(), m, new Shape(9, 10));
        Toy.Mlp b = Toy.init(new Toy.Mlp(), m, new Shape(9, 10));
        var pa = a.getParameters();
        var pb = b.getParameters();
        for (int i = 0; i < pa.size(); i++) {
            pb.valueAt(i).getArray().set(pa.valueAt(i).getArray().toFloatArray());
        }
        return new Toy.Mlp[] {a, b};
    }

    private static AdapterConfig config() {
        return AdapterConfig.builder().r(4).alpha(8).targetModules("lin0").modulesToSave("lin1").init(false)
                .rankPattern("lin0", 3).useRslora(true).seed(1).build();
    }

    @Test
    void roundTripReproducesOutputsAndTensors() throws Exception {
        Toy.Mlp[] t = twins();
        AdaptedModel src = AdaptedModel.inject(t[0], config());
        float[] out = Toy.run(src.block(), x).toFloatArray();
        src.save(dir, "default");
        assertTrue(Files.exists(dir.resolve(AdapterFiles.CONFIG)));
        assertTrue(Files.exists(dir.resolve(AdapterFiles.WEIGHTS)));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(2, s.count(), "no temp files left behind");
        }

        AdaptedModel dst = AdaptedModel.of(t[1]);
        dst.load(dir, "default");
        assertEquals(List.of("default"), dst.activeAdapters());
        assertEquals(config().toBuilder().init(LoraInit.NONE).build().r(), dst.config("default").r());
        assertTrue(Toy.allClose(Toy.run(dst.block(), x).toFloatArray(), out, 1e-5, 1e-5));
        Map<String, AdapterParam> a = src.adapterTensors("default");
        Map<String, AdapterParam> b = dst.adapterTensors("default");
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k).parameter().getArray().toFloatArray(), b.get(k).parameter().getArray().toFloatArray(), k);
        }
        assertEquals(src.trainableParameters(), dst.trainableParameters());
    }

    @Test
    void peftTensorNamesAndShapes() throws Exception {
        AdaptedModel am = AdaptedModel.inject(Toy.init(new Toy.Mlp(), m, new Shape(9, 10)), config());
        am.save(dir, "default");
        try (TensorSource src = Safetensors.open(dir.resolve(AdapterFiles.WEIGHTS))) {
            assertEquals(List.of("base_model.model.lin0.lora_A.weight", "base_model.model.lin0.lora_B.weight",
                    "base_model.model.lin1.bias", "base_model.model.lin1.weight"), List.copyOf(src.tensors().keySet()),
                    "sorted by name, as safetensors' save_file lays them out");
            assertArrayEquals(new long[] {3, 10}, src.tensors().get("base_model.model.lin0.lora_A.weight").shape());
            assertArrayEquals(new long[] {20, 3}, src.tensors().get("base_model.model.lin0.lora_B.weight").shape());
            assertArrayEquals(new long[] {2, 20}, src.tensors().get("base_model.model.lin1.weight").shape());
            assertEquals(Map.of("format", "pt"), src.metadata());
        }
        JsonObject json = JsonParser.parseString(Files.readString(dir.resolve(AdapterFiles.CONFIG))).getAsJsonObject();
        assertEquals("LORA", json.get("peft_type").getAsString());
        assertEquals(4, json.get("r").getAsInt());
        assertEquals("8", json.get("lora_alpha").toString(), "integral alpha written as an integer");
        assertEquals(3, json.getAsJsonObject("rank_pattern").get("lin0").getAsInt());
        assertTrue(json.get("use_rslora").getAsBoolean());
        assertFalse(json.get("init_lora_weights").getAsBoolean());
        assertEquals("lin0", json.getAsJsonArray("target_modules").get(0).getAsString());
        assertEquals("none", json.get("bias").getAsString());
        assertFalse(json.get("use_dora").getAsBoolean());
        List<String> keys = new ArrayList<>(json.keySet());
        List<String> sorted = new ArrayList<>(keys);
        java.util.Collections.sort(sorted);
        assertEquals(sorted, keys, "sorted keys, as PEFT's json.dumps(sort_keys=True)");
    }

    @Test
    void safetensorsLayoutFollowsTheFormat() throws Exception {
        AdaptedModel am = AdaptedModel.inject(Toy.init(new Toy.Mlp(), m, new Shape(9, 10)), config());
        am.save(dir, "default");
        byte[] bytes = Files.readAllBytes(dir.resolve(AdapterFiles.WEIGHTS));
        long n = java.nio.ByteBuffer.wrap(bytes, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        JsonObject header = JsonParser.parseString(new String(bytes, 8, (int) n, StandardCharsets.UTF_8)).getAsJsonObject();
        List<long[]> spans = new ArrayList<>();
        assertEquals(0, n % 8, "header padded to a multiple of 8");
        assertEquals("pt", header.getAsJsonObject("__metadata__").get("format").getAsString());
        assertEquals("__metadata__", header.keySet().iterator().next());
        for (String k : header.keySet()) {
            if (k.equals("__metadata__")) {
                continue;
            }
            JsonObject t = header.getAsJsonObject(k);
            assertEquals("F32", t.get("dtype").getAsString(), k);
            long count = 1;
            for (var d : t.getAsJsonArray("shape")) {
                count *= d.getAsLong();
            }
            var off = t.getAsJsonArray("data_offsets");
            long begin = off.get(0).getAsLong();
            long end = off.get(1).getAsLong();
            assertEquals(count * 4, end - begin, k);
            spans.add(new long[] {begin, end});
        }
        spans.sort(java.util.Comparator.comparingLong(a -> a[0]));
        long pos = 0;
        for (long[] sp : spans) {
            assertEquals(pos, sp[0], "tensors are contiguous");
            pos = sp[1];
        }
        assertEquals(bytes.length - 8 - n, pos, "the data section is exactly covered");
        // lin0.lora_A [3, 10], little-endian f32, row-major
        Parameter a = am.trainableParameterMap().get("lin0.lora_A.default.weight").parameter();
        long begin = header.getAsJsonObject("base_model.model.lin0.lora_A.weight").getAsJsonArray("data_offsets").get(0).getAsLong();
        float first = java.nio.ByteBuffer.wrap(bytes, (int) (8 + n + begin), 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getFloat();
        assertEquals(a.getArray().toFloatArray()[0], first);
    }

    @Test
    void configReadingIgnoresUnknownAndDefaultsMissing() {
        AdapterConfig c = AdapterConfigJson.fromJson("{\"peft_type\": \"LORA\", \"target_modules\": \".*query\", "
                + "\"some_future_key\": {\"a\": 1}, \"init_lora_weights\": \"pissa_niter_4\", \"bias\": \"lora_only\", "
                + "\"layers_to_transform\": 3}");
        assertEquals(8, c.r());
        assertEquals(8.0, c.alpha());
        assertEquals(0.0, c.dropout());
        assertTrue(c.targetModules().isRegex());
        assertEquals(4, c.init().niter());
        assertEquals(Bias.LORA_ONLY, c.bias());
        assertEquals(List.of(3), c.layersToTransform());
        AdapterConfig back = AdapterConfigJson.fromJson(AdapterConfigJson.toJson(config()));
        assertEquals(config().toBuilder().seed(0).build().toString(), back.toBuilder().seed(0).build().toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdapterConfigJson.fromJson("{r: "));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    }

    @Test
    void mismatchedShapesFailWithNameAndShapesAndChangeNothing() throws Exception {
        AdaptedModel src = AdaptedModel.inject(Toy.init(new Toy.Mlp(), m, new Shape(9, 10)), config());
        src.save(dir, "default");
        // a model whose lin0 has 12 outputs instead of 20
        Toy.Mlp other = Toy.init(new Toy.Mlp(), m, new Shape(9, 10));
        // "keep" on lin0, not lin1: the saved config keeps lin1 whole (modules_to_save), which an adapted layer refuses
        AdaptedModel dst = AdaptedModel.inject(other, AdapterConfig.builder().targetModules("lin0").build(), "keep");
        float[] before = Toy.run(dst.block(), x).toFloatArray();
        rewriteWeights(dir, "base_model.model.lin0.lora_B.weight", new Shape(12, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dst.load(dir, "new"));
        assertTrue(e.getMessage().contains("base_model.model.lin0.lora_B.weight") && e.getMessage().contains("(20, 3)")
                && e.getMessage().contains("(12, 3)"), e.getMessage());
        assertEquals(List.of("keep"), dst.adapterNames());
        assertEquals(1, dst.layers().size());
        assertArrayEquals(before, Toy.run(dst.block(), x).toFloatArray());
    }

    @Test
    void missingAndUnexpectedKeysAreListed() throws Exception {
        AdaptedModel src = AdaptedModel.inject(Toy.init(new Toy.Mlp(), m, new Shape(9, 10)), config());
        src.save(dir, "default");
        renameWeight(dir, "base_model.model.lin1.bias", "base_model.model.lin1.bogus");
        AdaptedModel dst = AdaptedModel.of(Toy.init(new Toy.Mlp(), m, new Shape(9, 10)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dst.load(dir, "default"));
        assertTrue(e.getMessage().contains("missing keys: [base_model.model.lin1.bias]"), e.getMessage());
        assertTrue(e.getMessage().contains("unexpected keys: [base_model.model.lin1.bogus]"), e.getMessage());
        assertTrue(dst.adapterNames().isEmpty());
        assertTrue(dst.layers().isEmpty());
    }

    @Test
    void aBadTensorAfterAGoodBaseBiasChangesNoBias() throws Exception {
        Toy.Mlp[] t = twins();
        AdaptedModel src = AdaptedModel.inject(t[0], AdapterConfig.builder().r(2).targetModules("lin0").bias("all")
                .init(false).build());
        src.save(dir, "default");
        // the biases are valid and come first in the file; lin0's lora_B holds a NaN
        rewrite(dir, (k, a, tmp) -> Map.entry(k, k.endsWith("lora_B.weight") ? a.mul(Float.NaN) : a.add(1f)));
        AdaptedModel dst = AdaptedModel.of(t[1]);
        List<float[]> before = new ArrayList<>();
        for (var p : dst.block().getParameters()) {
            before.add(p.getValue().getArray().toFloatArray());
        }
        float[] out = Toy.run(dst.block(), x).toFloatArray();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dst.load(dir, "default"));
        assertTrue(e.getMessage().contains("base_model.model.lin0.lora_B.weight' holds NaN"), e.getMessage());
        int i = 0;
        for (var p : dst.block().getParameters()) {
            assertArrayEquals(before.get(i++), p.getValue().getArray().toFloatArray(), p.getKey());
        }
        assertArrayEquals(out, Toy.run(dst.block(), x).toFloatArray());
        assertTrue(dst.adapterNames().isEmpty());
    }

    @Test
    void loadingIntoAnExistingNameIsAnError() throws Exception {
        AdaptedModel am = AdaptedModel.inject(Toy.init(new Toy.Mlp(), m, new Shape(9, 10)), config());
        am.save(dir, "default");
        assertThrows(IllegalArgumentException.class, () -> am.load(dir, "default"));
        am.load(dir, "second");
        assertEquals(List.of("default", "second"), am.adapterNames());
    }

    /** Rewrites the weights file with {@code name} replaced by zeros of {@code shape}. */
    static void rewriteWeights(Path d, String name, Shape shape) throws Exception {
        rewrite(d, (k, a, tmp) -> k.equals(name) ? Map.entry(k, tmp.zeros(shape)) : Map.entry(k, a));
    }

    static void renameWeight(Path d, String from, String to) throws Exception {
        rewrite(d, (k, a, tmp) -> Map.entry(k.equals(from) ? to : k, a));
    }

    /** One tensor of a rewrite: its new name and value. */
    interface Edit {
        Map.Entry<String, NDArray> apply(String key, NDArray value, NDManager tmp);
    }

    static void rewrite(Path d, Edit edit) throws Exception {
        Path f = d.resolve(AdapterFiles.WEIGHTS);
        try (NDManager tmp = NDManager.newBaseManager(); TensorSource src = Safetensors.open(f)) {
            Map<String, NDArray> out = new java.util.LinkedHashMap<>();
            for (String k : src.tensors().keySet()) {
                Map.Entry<String, NDArray> e = edit.apply(k, src.read(k, tmp, DataType.FLOAT32), tmp);
                if (e != null) {
                    out.put(e.getKey(), e.getValue());
                }
            }
            Safetensors.write(f, out, Map.of());
        }
    }
}
