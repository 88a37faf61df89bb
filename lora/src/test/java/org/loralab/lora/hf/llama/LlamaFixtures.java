package org.loralab.lora.hf.llama;

import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.loralab.lora.hf.HfModels;
import org.loralab.lora.hf.LoadOptions;

/**
 * The generated tiny checkpoints under {@code src/test/resources/hf} and their reference outputs
 * (tools/hf-fixtures/make_llama_fixture.py).
 */
final class LlamaFixtures {
    static final Path ROOT = Path.of("src", "test", "resources", "hf");

    private LlamaFixtures() {}

    static Path dir(String name) {
        return ROOT.resolve(name);
    }

    static CausalLm load(String name) {
        return load(dir(name), DataType.FLOAT32);
    }

    static CausalLm load(Path dir, DataType dtype) {
        return (CausalLm) HfModels.load(dir, LoadOptions.builder().dtype(dtype).build());
    }

    static JsonObject expected(String name) {
        try {
            return JsonParser.parseString(Files.readString(ROOT.resolve("expected").resolve(name + ".json")))
                    .getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long[][] longs2(JsonArray a) {
        long[][] out = new long[a.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = longs(a.get(i).getAsJsonArray());
        }
        return out;
    }

    static long[] longs(JsonArray a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsLong();
        }
        return out;
    }

    /** A copy of fixture {@code name} in {@code dir} whose config.json has {@code from} replaced by {@code to}. */
    static Path withConfigEdit(String name, Path dir, String from, String to) throws IOException {
        for (String f : new String[] {"model.safetensors", "generation_config.json"}) {
            Files.copy(dir(name).resolve(f), dir.resolve(f));
        }
        String config = Files.readString(dir(name).resolve("config.json"));
        if (!config.contains(from)) {
            throw new IllegalStateException("config.json of " + name + " has no " + from);
        }
        Files.writeString(dir.resolve("config.json"), config.replace(from, to));
        return dir;
    }
}
