package org.loralab.lora.hf.generate;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A model directory's generation settings, as transformers' {@code generate()} would use them: stop tokens from
 * {@code config.json}'s and {@code generation_config.json}'s {@code eos_token_id} (an int or a list; both files
 * count), and from {@code generation_config.json} {@code do_sample}, {@code temperature}, {@code top_k},
 * {@code top_p}, {@code max_new_tokens} when present. Other fields are ignored.
 */
public final class GenerationDefaults {
    private GenerationDefaults() {}

    /** The settings of the model in {@code dir} (missing files: the library defaults, no stop tokens). */
    public static GenerationConfig read(Path dir) {
        JsonObject config = json(dir.resolve("config.json"));
        JsonObject gen = json(dir.resolve("generation_config.json"));
        Set<Long> stop = new LinkedHashSet<>();
        addIds(config, stop, dir.resolve("config.json"));
        addIds(gen, stop, dir.resolve("generation_config.json"));
        GenerationConfig.Builder b = GenerationConfig.builder().stopTokens(stop);
        Path g = dir.resolve("generation_config.json");
        try {
            if (has(gen, "do_sample")) {
                b.doSample(gen.get("do_sample").getAsBoolean());
            }
            if (has(gen, "temperature")) {
                b.temperature(gen.get("temperature").getAsDouble());
            }
            if (has(gen, "top_k")) {
                b.topK(gen.get("top_k").getAsInt());
            }
            if (has(gen, "top_p")) {
                b.topP(gen.get("top_p").getAsDouble());
            }
            if (has(gen, "max_new_tokens")) {
                b.maxNewTokens(gen.get("max_new_tokens").getAsInt());
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(g + ": " + e.getMessage() + "; fix or remove the field", e);
        }
        return b.build();
    }

    private static boolean has(JsonObject o, String key) {
        return o.has(key) && !o.get(key).isJsonNull();
    }

    private static void addIds(JsonObject o, Set<Long> out, Path file) {
        if (!has(o, "eos_token_id")) {
            return;
        }
        JsonElement e = o.get("eos_token_id");
        try {
            if (e.isJsonArray()) {
                e.getAsJsonArray().forEach(x -> out.add(x.getAsLong()));
            } else {
                out.add(e.getAsLong());
            }
        } catch (RuntimeException ex) {
            throw new IllegalArgumentException(file + ": eos_token_id must be an integer or a list of integers, got "
                    + e, ex);
        }
    }

    private static JsonObject json(Path file) {
        if (!Files.isRegularFile(file)) {
            return new JsonObject();
        }
        try {
            JsonElement e = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) {
                throw new IllegalArgumentException(file + " is not a JSON object");
            }
            return e.getAsJsonObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        } catch (com.google.gson.JsonParseException ex) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + ex.getMessage(), ex);
        }
    }
}
