package org.loralab.lora.hf.hub;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A generated model repository as the Hub stores it: commits of files, branches pointing at commits. Files whose
 * name ends in {@code .safetensors} or {@code .bin} are "LFS" files (ETag = sha256, served from the CDN path); the
 * others are plain git files (ETag = git blob sha1).
 */
final class FakeRepo {
    final String id;
    final Map<String, String> branches = new LinkedHashMap<>();
    final Map<String, Map<String, byte[]>> commits = new LinkedHashMap<>();

    FakeRepo(String id) {
        this.id = id;
    }

    /** A tiny model: config, tokenizer, a real safetensors file of {@code floats} F32 values, a pickle, a README. */
    static Map<String, byte[]> tinyModel(long seed, int floats) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("config.json", ("{\"model_type\": \"llama\", \"hidden_size\": 8, \"seed\": " + seed + "}\n")
                .getBytes(StandardCharsets.UTF_8));
        files.put("tokenizer.json", "{\"version\": \"1.0\", \"model\": {\"type\": \"BPE\"}}\n".getBytes(StandardCharsets.UTF_8));
        files.put("model.safetensors", safetensors(seed, floats));
        files.put("pytorch_model.bin", bytes(seed + 1, 1000));
        files.put("README.md", "# tiny\n".getBytes(StandardCharsets.UTF_8));
        return files;
    }

    String commit(String branch, Map<String, byte[]> files) {
        String sha = HexFormat.of().formatHex(digest("SHA-1", (id + branch + commits.size()).getBytes(StandardCharsets.UTF_8)));
        commits.put(sha, new LinkedHashMap<>(files));
        branches.put(branch, sha);
        return sha;
    }

    static boolean isLfs(String file) {
        return file.endsWith(".safetensors") || file.endsWith(".bin");
    }

    static String etag(String file, byte[] content) {
        if (isLfs(file)) {
            return sha256(content);
        }
        byte[] prefix = ("blob " + content.length + "\0").getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[prefix.length + content.length];
        System.arraycopy(prefix, 0, all, 0, prefix.length);
        System.arraycopy(content, 0, all, prefix.length, content.length);
        return HexFormat.of().formatHex(digest("SHA-1", all));
    }

    static String sha256(byte[] content) {
        return HexFormat.of().formatHex(digest("SHA-256", content));
    }

    private static byte[] safetensors(long seed, int floats) {
        String header = "{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"F32\",\"shape\":[" + floats
                + "],\"data_offsets\":[0," + (4L * floats) + "]}}";
        while (header.length() % 8 != 0) {
            header += " ";
        }
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 4 * floats).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Random r = new Random(seed);
        for (int i = 0; i < floats; i++) {
            b.putFloat((float) r.nextGaussian());
        }
        return b.array();
    }

    private static byte[] bytes(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] digest(String algorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(algorithm).digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
