package org.loralab.lora.io.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.loralab.lora.io.IoErrors;

/**
 * A checkpoint split over shards by {@code model.safetensors.index.json}. Every shard's header is validated and the
 * weight map checked against the shards (each mapped tensor where the map says, no tensor in two shards, none that
 * the map does not list) before any tensor is read.
 */
final class ShardedCheckpoint implements TensorSource {
    private final Map<String, SafetensorsFile> byTensor;
    private final Map<String, SafetensorsFile> shards;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private ShardedCheckpoint(Map<String, SafetensorsFile> byTensor, Map<String, SafetensorsFile> shards,
            Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.byTensor = byTensor;
        this.shards = shards;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    static ShardedCheckpoint open(Path index) {
        Path dir = index.toAbsolutePath().getParent();
        JsonObject root = readIndex(index);
        JsonElement wm = root.get("weight_map");
        if (wm == null || !wm.isJsonObject()) {
            throw Header.bad(index, "weight_map must be an object of tensor name -> shard file name");
        }
        Map<String, String> weightMap = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : wm.getAsJsonObject().entrySet()) {
            JsonElement v = e.getValue();
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                throw Header.bad(index, "weight_map entry " + Names.quote(e.getKey()) + " must be a shard file name (a string)");
            }
            weightMap.put(e.getKey(), checkShardName(index, e.getKey(), v.getAsString()));
        }
        if (weightMap.isEmpty()) {
            throw Header.bad(index, "weight_map is empty");
        }
        Map<String, SafetensorsFile> shards = new TreeMap<>();
        try {
            for (String shard : new java.util.TreeSet<>(weightMap.values())) {
                shards.put(shard, SafetensorsFile.open(dir.resolve(shard)));
            }
            Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, SafetensorsFile> s : shards.entrySet()) {
                for (TensorInfo t : s.getValue().tensors().values()) {
                    SafetensorsFile other = byTensor.putIfAbsent(t.name(), s.getValue());
                    if (other != null) {
                        throw Header.bad(index, "tensor " + Names.quote(t.name()) + " is in two shards, "
                                + other.file(t.name()).getFileName() + " and " + s.getKey());
                    }
                    String mapped = weightMap.get(t.name());
                    if (mapped == null) {
                        throw Header.bad(index, "tensor " + Names.quote(t.name()) + " of shard " + s.getKey()
                                + " is not in weight_map");
                    }
                    if (!mapped.equals(s.getKey())) {
                        throw Header.bad(index, "tensor " + Names.quote(t.name()) + " is in shard " + s.getKey()
                                + ", but weight_map says " + mapped);
                    }
                    tensors.put(t.name(), t);
                }
            }
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                if (!byTensor.containsKey(e.getKey())) {
                    throw Header.bad(index, "tensor " + Names.quote(e.getKey()) + " is missing from its shard " + e.getValue());
                }
            }
            return new ShardedCheckpoint(byTensor, shards, Collections.unmodifiableMap(tensors), metadata(root, shards));
        } catch (RuntimeException e) {
            shards.values().forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static JsonObject readIndex(Path index) {
        String text;
        try {
            if (Files.size(index) > Header.MAX_HEADER_BYTES) {
                throw Header.bad(index, "index of " + Files.size(index) + " bytes is over the "
                        + Header.MAX_HEADER_BYTES + "-byte limit");
            }
            text = Files.readString(index, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + index + ": " + IoErrors.reason(e), e);
        }
        try {
            JsonElement root = JsonParser.parseString(text);
            if (!root.isJsonObject()) {
                throw Header.bad(index, "not a JSON object");
            }
            return root.getAsJsonObject();
        } catch (JsonParseException e) {
            throw Header.bad(index, "not valid JSON: " + Names.firstLine(e.getMessage()));
        }
    }

    /** A shard must be a plain file name in the checkpoint's directory. */
    private static String checkShardName(Path index, String tensor, String shard) {
        boolean plain = !shard.isEmpty() && !shard.contains("/") && !shard.contains("\\") && !shard.equals(".")
                && !shard.equals("..") && shard.indexOf('\0') < 0 && !shard.contains(":");
        if (!plain) {
            throw Header.bad(index, "tensor " + Names.quote(tensor) + " maps to " + Names.quote(shard)
                    + ", which is not a plain file name in the checkpoint's directory");
        }
        return shard;
    }

    private static Map<String, String> metadata(JsonObject root, Map<String, SafetensorsFile> shards) {
        Map<String, String> out = new LinkedHashMap<>();
        if (root.get("metadata") != null && root.get("metadata").isJsonObject()) {
            for (Map.Entry<String, JsonElement> e : root.getAsJsonObject("metadata").entrySet()) {
                if (e.getValue().isJsonPrimitive()) {
                    out.put(e.getKey(), e.getValue().getAsString());
                }
            }
        }
        for (SafetensorsFile s : shards.values()) {
            s.metadata().forEach(out::putIfAbsent);
        }
        return Collections.unmodifiableMap(out);
    }

    @Override
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public NDArray read(String name, NDManager manager, DataType target) {
        return shard(name).read(name, manager, target);
    }

    @Override
    public Path file(String name) {
        return shard(name).file(name);
    }

    private SafetensorsFile shard(String name) {
        SafetensorsFile s = byTensor.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no tensor " + Names.quote(name) + " in this checkpoint's shards "
                    + shards.keySet());
        }
        return s;
    }

    @Override
    public void close() {
        shards.values().forEach(SafetensorsFile::close);
    }
}
