package org.loralab.lora.hf.tokenizer;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What transformers reads from {@code tokenizer_config.json} and {@code special_tokens_map.json} on top of
 * {@code tokenizer.json}: the special tokens, whether BOS/EOS are added (null: as tokenizer.json's post-processor
 * says), the padding side, the maximum length and the chat template. tokenizer_config.json wins over
 * special_tokens_map.json, as in transformers.
 */
public record TokenizerSettings(String bosToken, String eosToken, String padToken, String unkToken,
        Boolean addBosToken, Boolean addEosToken, Padding paddingSide, long modelMaxLength, String chatTemplate) {

    /** transformers' "no limit" value for model_max_length (int(1e30)) and anything above 2^53 reads as this. */
    public static final long NO_MAX_LENGTH = Long.MAX_VALUE;

    public static TokenizerSettings read(Path dir) {
        JsonObject config = object(dir.resolve("tokenizer_config.json"));
        JsonObject map = object(dir.resolve("special_tokens_map.json"));
        Path where = dir.resolve("tokenizer_config.json");
        String side = string(config, "padding_side", where);
        Padding padding;
        if (side == null || side.equals("right")) {
            padding = Padding.RIGHT;
        } else if (side.equals("left")) {
            padding = Padding.LEFT;
        } else {
            throw new IllegalArgumentException(where + ": padding_side must be \"left\" or \"right\", got \"" + side + "\"");
        }
        long maxLength = NO_MAX_LENGTH;
        JsonElement m = config.get("model_max_length");
        if (m != null && !m.isJsonNull()) {
            double v = m.getAsDouble();
            maxLength = v >= 9.007199254740992E15 ? NO_MAX_LENGTH : (long) v;
        }
        return new TokenizerSettings(token(config, map, "bos_token", where), token(config, map, "eos_token", where),
                token(config, map, "pad_token", where), token(config, map, "unk_token", where),
                bool(config, "add_bos_token"), bool(config, "add_eos_token"), padding, maxLength,
                chatTemplate(config, where));
    }

    private static JsonObject object(Path file) {
        if (!Files.isRegularFile(file)) {
            return new JsonObject();
        }
        try {
            JsonElement e = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) {
                throw new IllegalArgumentException(file + ": expected a JSON object");
            }
            return e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(file + ": not valid JSON (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A special token is a string or an AddedToken object {"content": ...}; null when absent. */
    private static String token(JsonObject config, JsonObject map, String key, Path where) {
        JsonElement e = config.has(key) ? config.get(key) : map.get(key);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (e.isJsonPrimitive()) {
            return e.getAsString();
        }
        if (e.isJsonObject() && e.getAsJsonObject().has("content")) {
            return e.getAsJsonObject().get("content").getAsString();
        }
        throw new IllegalArgumentException(where + ": " + key + " must be a string or {\"content\": ...}");
    }

    private static String string(JsonObject o, String key, Path where) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonPrimitive()) {
            throw new IllegalArgumentException(where + ": " + key + " must be a string");
        }
        return e.getAsString();
    }

    private static Boolean bool(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? null : e.getAsBoolean();
    }

    /** A string, or a list of {"name", "template"} of which transformers uses "default". */
    private static String chatTemplate(JsonObject config, Path where) {
        JsonElement e = config.get("chat_template");
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (e.isJsonPrimitive()) {
            return e.getAsString();
        }
        if (e.isJsonArray()) {
            for (JsonElement t : e.getAsJsonArray()) {
                JsonObject named = t.getAsJsonObject();
                if (named.has("name") && named.get("name").getAsString().equals("default")) {
                    return named.get("template").getAsString();
                }
            }
            return null;
        }
        throw new IllegalArgumentException(where + ": chat_template must be a string or a list of named templates");
    }
}
