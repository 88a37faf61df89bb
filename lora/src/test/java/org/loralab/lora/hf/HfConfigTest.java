package org.loralab.lora.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class HfConfigTest {
    private static final Path FILE = Path.of("m", "config.json");

    private static HfConfig parse(String json) {
        return HfConfig.parse(FILE, json);
    }

    private static String oneLine(Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void configMustBeAJsonObject() {
        assertTrue(oneLine(() -> parse("[1, 2]")).contains("JSON object"));
        assertTrue(oneLine(() -> parse("{\"a\": ")).contains("not valid JSON"));
        assertTrue(oneLine(() -> parse("null")).contains("JSON object"));
    }

    @Test
    void typedGettersNameTheKeyAndTheExpectedType() {
        HfConfig c = parse("{\"hidden_size\": \"768\", \"eps\": true, \"flag\": 1, \"name\": 3, \"big\": 3e12}");
        assertTrue(oneLine(() -> c.getInt("hidden_size")).contains("\"hidden_size\" must be an integer"));
        assertTrue(oneLine(() -> c.getDouble("eps", 1)).contains("\"eps\" must be a number"));
        assertTrue(oneLine(() -> c.getBool("flag", false)).contains("\"flag\" must be true or false"));
        assertTrue(oneLine(() -> c.getString("name", "")).contains("\"name\" must be a string"));
        assertTrue(oneLine(() -> c.getInt("big")).contains("an integer"));
        assertTrue(oneLine(() -> c.getInt("absent")).contains("required key \"absent\""));
    }

    @Test
    void defaultsApplyToAbsentAndNullKeys() {
        HfConfig c = parse("{\"model_type\": \"vit\", \"x\": null, \"n\": 12, \"d\": 1e-12, \"arch\": 1}");
        assertEquals(7, c.getInt("x", 7));
        assertEquals(12, c.getInt("n"));
        assertEquals(12.0, c.getDouble("n"));
        assertEquals(1e-12, c.getDouble("d"));
        assertEquals("vit", c.modelType());
        assertEquals(List.of(), c.architectures());
        assertFalse(c.has("x"));
        assertTrue(c.has("n"));
    }

    @Test
    void rawGivesPlainJava() {
        HfConfig c = parse("{\"id2label\": {\"0\": \"cat\", \"1\": \"dog\"}, \"sizes\": [1, 2.5], \"b\": false,"
                + " \"architectures\": [\"ViTModel\"]}");
        assertEquals(Map.of("0", "cat", "1", "dog"), c.raw("id2label"));
        assertEquals(List.of(1L, 2.5), c.raw("sizes"));
        assertEquals(false, c.raw("b"));
        assertEquals(List.of("ViTModel"), c.architectures());
        assertEquals(Path.of("m").toAbsolutePath(), c.directory());
        assertEquals(List.of("id2label", "sizes", "b", "architectures"), c.keys());
    }

    @Test
    void architecturesMustBeStrings() {
        assertTrue(oneLine(() -> parse("{\"architectures\": [1]}").architectures()).contains("architectures"));
    }
}
