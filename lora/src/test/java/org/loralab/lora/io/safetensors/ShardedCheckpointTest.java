package org.loralab.lora.io.safetensors;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** model.safetensors.index.json + shards, single-file checkpoints, and the refusal of pickle weights. */
class ShardedCheckpointTest {
    @TempDir
    Path dir;
    private NDManager m;

    @BeforeEach
    void setUp() throws Exception {
        m = NDManager.newBaseManager();
        Safetensors.write(dir.resolve("model-00001-of-00002.safetensors"),
                Map.of("a.weight", m.create(new float[] {1f, 2f}), "b.weight", m.create(new float[] {3f})), Map.of());
        Safetensors.write(dir.resolve("model-00002-of-00002.safetensors"),
                Map.of("c.weight", m.create(new float[] {4f, 5f, 6f}).toType(DataType.FLOAT16, false)), Map.of());
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    private void index(String weightMap) throws Exception {
        Files.writeString(dir.resolve(Safetensors.INDEX), "{\"metadata\": {\"total_size\": 24}, \"weight_map\": {" + weightMap + "}}");
    }

    private static final String GOOD = "\"a.weight\": \"model-00001-of-00002.safetensors\", "
            + "\"b.weight\": \"model-00001-of-00002.safetensors\", \"c.weight\": \"model-00002-of-00002.safetensors\"";

    @Test
    void readsEveryTensorFromItsShard() throws Exception {
        index(GOOD);
        try (TensorSource src = Safetensors.openCheckpoint(dir)) {
            assertEquals(List.of("a.weight", "b.weight", "c.weight"), List.copyOf(src.tensors().keySet()));
            assertEquals("24", src.metadata().get("total_size"));
            assertEquals("pt", src.metadata().get("format"));
            assertEquals(dir.resolve("model-00002-of-00002.safetensors").toAbsolutePath(), src.file("c.weight").toAbsolutePath());
            NDArray c = src.read("c.weight", m, DataType.FLOAT32);
            assertArrayEquals(new float[] {4f, 5f, 6f}, c.toFloatArray());
            assertArrayEquals(new float[] {1f, 2f}, src.read("a.weight", m, DataType.FLOAT32).toFloatArray());
            assertThrows(IllegalArgumentException.class, () -> src.read("zzz", m, DataType.FLOAT32));
        }
    }

    @Test
    void badIndexesAreOneLineErrors() throws Exception {
        String s1 = "model-00001-of-00002.safetensors";
        String s2 = "model-00002-of-00002.safetensors";
        String[][] cases = {
            {"\"a.weight\": \"" + s1 + "\", \"b.weight\": \"" + s1 + "\", \"c.weight\": \"" + s2 + "\", \"d.weight\": \"" + s2 + "\"",
                "'d.weight' is missing from its shard"},
            {"\"a.weight\": \"" + s1 + "\", \"b.weight\": \"" + s2 + "\", \"c.weight\": \"" + s2 + "\"", "'b.weight' is in shard " + s1},
            {"\"a.weight\": \"" + s1 + "\", \"c.weight\": \"" + s2 + "\"", "'b.weight' of shard " + s1 + " is not in weight_map"},
            {"\"a.weight\": \"../" + s1 + "\"", "not a plain file name"},
            {"\"a.weight\": \"/etc/passwd\"", "not a plain file name"},
            {"\"a.weight\": \"sub\\\\x.safetensors\"", "not a plain file name"},
            {"\"a.weight\": \"..\"", "not a plain file name"},
            {"\"a.weight\": 3", "'a.weight' must be a shard file name"},
            {"", "weight_map is empty"},
        };
        for (String[] c : cases) {
            index(c[0]);
            RuntimeException e = assertThrows(RuntimeException.class, () -> Safetensors.openCheckpoint(dir).close(), c[0]);
            SafetensorsHeaderTest.assertOneLine(e.getMessage(), dir.resolve(Safetensors.INDEX));
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
        }
        Files.writeString(dir.resolve(Safetensors.INDEX), "[1]");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Safetensors.openCheckpoint(dir)).getMessage()
                .contains("not a JSON object"));
        Files.writeString(dir.resolve(Safetensors.INDEX), "{\"weight_map\": [1]}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Safetensors.openCheckpoint(dir)).getMessage()
                .contains("weight_map must be an object"));
    }

    @Test
    void aTensorInTwoShardsIsRefused() throws Exception {
        Safetensors.write(dir.resolve("model-00002-of-00002.safetensors"),
                Map.of("a.weight", m.create(new float[] {9f, 9f}), "c.weight", m.create(new float[] {4f})), Map.of());
        index(GOOD);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Safetensors.openCheckpoint(dir));
        assertTrue(e.getMessage().contains("'a.weight' is in two shards"), e.getMessage());
    }

    @Test
    void aBrokenShardNamesTheShard() throws Exception {
        index(GOOD);
        Path shard = dir.resolve("model-00002-of-00002.safetensors");
        Files.write(shard, new byte[] {1, 0, 0, 0, 0, 0, 0, 0, '{'});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Safetensors.openCheckpoint(dir));
        assertTrue(e.getMessage().contains(shard.getFileName().toString()), e.getMessage());
        Files.delete(shard);
        UncheckedIOException u = assertThrows(UncheckedIOException.class, () -> Safetensors.openCheckpoint(dir));
        assertTrue(u.getMessage().contains("no such file"), u.getMessage());
    }

    @Test
    void singleFileCheckpointAndPickleRefusal() throws Exception {
        Path single = Files.createDirectory(dir.resolve("single"));
        Safetensors.write(single.resolve(Safetensors.MODEL), Map.of("w", m.create(new float[] {1f})), Map.of());
        try (TensorSource src = Safetensors.openCheckpoint(single)) {
            assertEquals(List.of("w"), List.copyOf(src.tensors().keySet()));
        }
        for (String bin : List.of("pytorch_model.bin", "pytorch_model.bin.index.json")) {
            Path pickle = Files.createDirectory(dir.resolve("pickle-" + bin));
            Files.write(pickle.resolve(bin), new byte[] {(byte) 0x80, 2});
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Safetensors.openCheckpoint(pickle));
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertTrue(e.getMessage().contains("pickle") && e.getMessage().contains("safetensors")
                    && e.getMessage().contains(bin), e.getMessage());
        }
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertThrows(UncheckedIOException.class, () -> Safetensors.openCheckpoint(empty));
        IllegalArgumentException notDir = assertThrows(IllegalArgumentException.class,
                () -> Safetensors.openCheckpoint(single.resolve(Safetensors.MODEL)));
        assertTrue(notDir.getMessage().contains("is not a directory"), notDir.getMessage());
    }
}
