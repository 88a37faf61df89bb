package org.loralab.lora.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.loralab.lora.io.BrokenAdapterDirsTest.BrokenDir;
import org.loralab.lora.io.safetensors.RawSafetensors;
import org.loralab.lora.io.safetensors.Safetensors;
import org.loralab.lora.io.safetensors.TensorInfo;
import org.loralab.lora.io.safetensors.TensorSource;

/**
 * The broken adapter directories of {@link BrokenAdapterDirsTest}. The good directory holds lin0's LoRA (r=4):
 * {@code base_model.model.lin0.lora_A.weight} [4, 10] and {@code ...lora_B.weight} [20, 4], F32.
 */
final class BrokenDirCases {
    static final String A = "base_model.model.lin0.lora_A.weight";
    static final String B = "base_model.model.lin0.lora_B.weight";
    private static final String CFG = AdapterFiles.CONFIG;
    private static final String W = AdapterFiles.WEIGHTS;

    private BrokenDirCases() {}

    /** Breaks a copy of the good directory. */
    @FunctionalInterface
    interface Breaker {
        void accept(Path dir) throws Exception;
    }

    static List<BrokenDir> all() {
        List<BrokenDir> c = new ArrayList<>();
        // adapter_config.json: each key of the wrong type or range, named in the message
        config(c, "r", "4.7", "key 'r' must be a positive integer, got 4.7");
        config(c, "r", "\"4\"", "key 'r' must be a positive integer, got \"4\"");
        config(c, "r", "0", "key 'r'");
        config(c, "r", "-2", "key 'r'");
        config(c, "r", "true", "key 'r'");
        config(c, "r", "1e12", "key 'r'");
        config(c, "lora_alpha", "1e400", "key 'lora_alpha' must be a finite number >= 0, got Infinity");
        config(c, "lora_alpha", "NaN", "key 'lora_alpha'");
        config(c, "lora_alpha", "-Infinity", "key 'lora_alpha'");
        config(c, "lora_alpha", "-8", "key 'lora_alpha'");
        config(c, "lora_alpha", "\"8\"", "key 'lora_alpha'");
        config(c, "lora_dropout", "1.5", "key 'lora_dropout'");
        config(c, "use_dora", "\"yes\"", "key 'use_dora' must be true or false, got \"yes\"");
        config(c, "use_rslora", "1", "key 'use_rslora'");
        config(c, "init_lora_weights", "\"bogus\"", "key 'init_lora_weights'");
        config(c, "init_lora_weights", "3", "key 'init_lora_weights'");
        config(c, "init_lora_weights", "\"pissa_niter_x\"", "key 'init_lora_weights'");
        config(c, "rank_pattern", "{\"lin0\": 2.5}", "key 'rank_pattern.lin0' must be a positive integer");
        config(c, "rank_pattern", "{\"lin0\": \"2\"}", "key 'rank_pattern.lin0'");
        config(c, "rank_pattern", "[1]", "key 'rank_pattern'");
        config(c, "alpha_pattern", "{\"lin0\": \"x\"}", "key 'alpha_pattern.lin0'");
        config(c, "alpha_pattern", "{\"lin0\": Infinity}", "key 'alpha_pattern.lin0'");
        config(c, "bias", "\"some\"", "key 'bias' must be one of none, all, lora_only");
        config(c, "target_modules", "5", "key 'target_modules'");
        config(c, "target_modules", "[\"lin0\", 3]", "key 'target_modules'");
        config(c, "modules_to_save", "\"lin1\"", "key 'modules_to_save'");
        config(c, "layers_to_transform", "\"0\"", "key 'layers_to_transform'");
        config(c, "peft_type", "\"NOPE\"", CFG);
        config(c, "peft_type", "7", "key 'peft_type'");
        config(c, "r", "8", "size mismatch for " + A);
        config(c, "bias", "\"all\"", "missing keys");
        whole(c, "config not JSON", CFG, "{\"r\": ", "not valid JSON");
        whole(c, "config a JSON array", CFG, "[1, 2]", "must be a JSON object");
        whole(c, "config empty", CFG, "", CFG);
        whole(c, "config a string", CFG, "\"r\"", "must be a JSON object");
        add(c, "config missing", BrokenAdapterDirsTest.BAD, CFG + " is missing", d -> Files.delete(d.resolve(CFG)));
        add(c, "config a directory", BrokenAdapterDirsTest.BAD, "is a directory", d -> {
            Files.delete(d.resolve(CFG));
            Files.createDirectory(d.resolve(CFG));
        });
        add(c, "config not UTF-8", BrokenAdapterDirsTest.BAD, CFG, d -> Files.write(d.resolve(CFG), new byte[] {'{', (byte) 0xff, '}'}));
        // adapter_model.safetensors: the path
        add(c, "weights missing", BrokenAdapterDirsTest.BAD, W + " is missing", d -> Files.delete(d.resolve(W)));
        add(c, "only pickle weights", BrokenAdapterDirsTest.BAD, "pickle", d -> {
            Files.move(d.resolve(W), d.resolve(AdapterFiles.PICKLE_WEIGHTS));
        });
        add(c, "weights a directory", BrokenAdapterDirsTest.BAD, "is a directory", d -> {
            Files.delete(d.resolve(W));
            Files.createDirectory(d.resolve(W));
        });
        add(c, "weights a dangling link", BrokenAdapterDirsTest.BAD, "link", d -> {
            Files.delete(d.resolve(W));
            Files.createSymbolicLink(d.resolve(W), d.resolve("nowhere"));
        });
        add(c, "adapter dir is a file", BrokenAdapterDirsTest.BAD, "it is a file", d -> {
            deleteTree(d);
            Files.writeString(d, "x");
        });
        add(c, "adapter dir missing", BrokenAdapterDirsTest.BAD, "no such directory", BrokenDirCases::deleteTree);
        // adapter_model.safetensors: the header
        header(c, "header length 0", 0, null, "header length 0");
        header(c, "header length 2^31-16", (1L << 31) - 16, null, "header length 2147483632");
        header(c, "header length past the end", 1L << 20, null, "runs past the end");
        header(c, "header length negative", -5, null, "header length");
        editHeader(c, "reversed offsets", "[0,160]", "[160,0]", "reversed");
        editHeader(c, "overlapping offsets", "[160,480]", "[80,400]", "overlap");
        editHeader(c, "F16 header over F32 bytes", "\"dtype\":\"F32\",\"shape\":[4,10]", "\"dtype\":\"F16\",\"shape\":[4,10]", A);
        editHeader(c, "unknown dtype", "\"dtype\":\"F32\",\"shape\":[4,10]", "\"dtype\":\"Q4\",\"shape\":[4,10]", "unknown dtype");
        editHeader(c, "negative shape", "[4,10]", "[-4,10]", A);
        editHeader(c, "header not an object", "{\"__metadata__\"", "[{\"__metadata__\"", "not a JSON object");
        add(c, "trailing bytes", BrokenAdapterDirsTest.BAD, "trailing bytes", d -> Files.write(d.resolve(W), new byte[1 << 20],
                java.nio.file.StandardOpenOption.APPEND));
        add(c, "truncated data", BrokenAdapterDirsTest.BAD, "truncated", d -> {
            byte[] b = Files.readAllBytes(d.resolve(W));
            Files.write(d.resolve(W), java.util.Arrays.copyOf(b, b.length - 10));
        });
        add(c, "weights empty", BrokenAdapterDirsTest.BAD, W, d -> Files.write(d.resolve(W), new byte[0]));
        add(c, "header not UTF-8", BrokenAdapterDirsTest.BAD, "UTF-8", d -> {
            byte[] h = {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '{', '}', '}'};
            RawSafetensors.write(d.resolve(W), h.length, h, new byte[0]);
        });
        // adapter_model.safetensors: the tensors
        tensors(c, "NaN in lora_A", "holds NaN", t -> t.put(A, withValue(t.get(A), Float.NaN)));
        tensors(c, "Inf in lora_B", "'" + B + "' holds an infinity", t -> t.put(B, withValue(t.get(B), Float.NEGATIVE_INFINITY)));
        tensors(c, "3e38 in lora_B", "absurd value", t -> t.put(B, withValue(t.get(B), 3e38f)));
        tensors(c, "lora_B missing", "missing keys: [" + B + "]", t -> t.remove(B));
        tensors(c, "extra tensor", "unexpected keys: [base_model.model.lin9.lora_A.weight]",
                t -> t.put("base_model.model.lin9.lora_A.weight", t.get(A)));
        tensors(c, "renamed tensor", "missing keys", t -> t.put("base_model.model.lin0.lora_A.default.weight", t.remove(A)));
        tensors(c, "integer tensor", "has dtype I64", t -> t.put(A, t.get(A).toType(DataType.INT64, false)));
        tensors(c, "wrong shape", "size mismatch for " + A, t -> t.put(A, t.get(A).reshape(new Shape(10, 4))));
        tensors(c, "no tensors at all", "missing keys", Map::clear);
        return c;
    }

    private static void add(List<BrokenDir> c, String name, Class<? extends RuntimeException> type, String must, Breaker b) {
        c.add(new BrokenDir(name, b, type, must));
    }

    private static void config(List<BrokenDir> c, String key, String rawValue, String must) {
        add(c, key + " = " + rawValue, BrokenAdapterDirsTest.BAD, must, d -> setConfig(d, key, rawValue));
    }

    private static void whole(List<BrokenDir> c, String name, String file, String text, String must) {
        add(c, name, BrokenAdapterDirsTest.BAD, must, d -> Files.writeString(d.resolve(file), text));
    }

    /** A lying 8-byte header length in front of the good header and data. */
    private static void header(List<BrokenDir> c, String name, long length, String unused, String must) {
        add(c, name, BrokenAdapterDirsTest.BAD, must, d -> {
            byte[] b = Files.readAllBytes(d.resolve(W));
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, length);
            Files.write(d.resolve(W), b);
        });
    }

    /** The header text with {@code from} replaced by {@code to} (the length adjusted, the data kept). */
    private static void editHeader(List<BrokenDir> c, String name, String from, String to, String must) {
        add(c, name, BrokenAdapterDirsTest.BAD, must, d -> {
            byte[] b = Files.readAllBytes(d.resolve(W));
            int n = (int) ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            String h = new String(b, 8, n, StandardCharsets.UTF_8);
            if (!h.contains(from)) {
                throw new AssertionError(name + ": '" + from + "' not in header " + h);
            }
            byte[] nh = h.replace(from, to).getBytes(StandardCharsets.UTF_8);
            RawSafetensors.write(d.resolve(W), nh.length, nh, java.util.Arrays.copyOfRange(b, 8 + n, b.length));
        });
    }

    /** The weights rewritten (as a valid file) after {@code edit} changed the name -> tensor map. */
    private static void tensors(List<BrokenDir> c, String name, String must, java.util.function.Consumer<Map<String, NDArray>> edit) {
        add(c, name, BrokenAdapterDirsTest.BAD, must, d -> {
            try (NDManager m = NDManager.newBaseManager(); TensorSource src = Safetensors.open(d.resolve(W))) {
                Map<String, NDArray> t = new LinkedHashMap<>();
                for (TensorInfo i : src.tensors().values()) {
                    t.put(i.name(), src.read(i.name(), m, DataType.FLOAT32));
                }
                edit.accept(t);
                Safetensors.write(d.resolve(W), t, Map.of());
            }
        });
    }

    private static NDArray withValue(NDArray a, float v) {
        float[] f = a.toFloatArray();
        f[f.length / 2] = v;
        return a.getManager().create(f, a.getShape());
    }

    /** Sets one key of adapter_config.json to raw JSON text (which may be NaN, Infinity or 1e400). */
    static void setConfig(Path dir, String key, String rawValue) throws IOException {
        JsonObject o = JsonParser.parseString(Files.readString(dir.resolve(CFG))).getAsJsonObject();
        StringBuilder b = new StringBuilder("{");
        boolean seen = false;
        for (Map.Entry<String, JsonElement> e : o.entrySet()) {
            b.append(b.length() > 1 ? ", " : "").append('"').append(e.getKey()).append("\": ");
            seen |= e.getKey().equals(key);
            b.append(e.getKey().equals(key) ? rawValue : e.getValue().toString());
        }
        if (!seen) {
            b.append(", \"").append(key).append("\": ").append(rawValue);
        }
        Files.writeString(dir.resolve(CFG), b.append('}').toString());
    }

    static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
