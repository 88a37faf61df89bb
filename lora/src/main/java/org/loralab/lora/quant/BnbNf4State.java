package org.loralab.lora.quant;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tensors transformers/bitsandbytes save for an NF4 weight (packed format, spec §13.3), so a safetensors
 * writer/reader can store {@link Nf4Weight} under bnb's key names:
 * {@code <key>} (uint8 packed {@code [(n+1)/2, 1]}), {@code <key>.absmax} (fp32, or uint8 with double
 * quantisation), {@code <key>.quant_map} (fp32 [16]), with double quantisation {@code <key>.nested_absmax}
 * (fp32) and {@code <key>.nested_quant_map} (fp32 [256]), and {@code <key>.quant_state.bitsandbytes__nf4}
 * (uint8 bytes of a JSON object with quant_type, blocksize, dtype, shape and the nested_* fields).
 */
public final class BnbNf4State {
    public static final String QUANT_STATE_SUFFIX = ".quant_state.bitsandbytes__nf4";

    /** A raw tensor: safetensors dtype name ({@code "U8"} or {@code "F32"}), shape, little-endian bytes. */
    public record Tensor(String dtype, long[] shape, byte[] data) {
        static Tensor u8(byte[] data, long... shape) {
            return new Tensor("U8", shape, data.clone());
        }

        static Tensor f32(float[] values) {
            ByteBuffer buf = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(values);
            return new Tensor("F32", new long[] {values.length}, buf.array());
        }

        float[] floats() {
            if (!"F32".equals(dtype)) {
                throw new IllegalArgumentException("expected an F32 tensor, got " + dtype);
            }
            float[] out = new float[data.length / 4];
            ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }

        byte[] bytes() {
            if (!"U8".equals(dtype)) {
                throw new IllegalArgumentException("expected a U8 tensor, got " + dtype);
            }
            return data.clone();
        }
    }

    private BnbNf4State() {
    }

    /** The entries for one weight stored under {@code key} (e.g. {@code "model.layers.0.q_proj.weight"}). */
    public static Map<String, Tensor> toTensors(String key, Nf4Weight weight) {
        if (weight.code() != Nf4.CODE) {
            throw new IllegalArgumentException("the bitsandbytes nf4 state holds NF4 weights; '" + key + "' is "
                    + weight.format());
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        byte[] packed = weight.packed();
        out.put(key, Tensor.u8(packed, packed.length, 1));
        JsonObject state = new JsonObject();
        state.addProperty("quant_type", "nf4");
        state.addProperty("blocksize", weight.blockSize());
        state.addProperty("dtype", "float32");
        JsonArray shape = new JsonArray();
        for (int d : weight.shape()) {
            shape.add(d);
        }
        state.add("shape", shape);
        DoubleQuantizedAbsmax dq = weight.doubleQuantState();
        if (dq == null) {
            out.put(key + ".absmax", Tensor.f32(weight.blockAbsmax()));
        } else {
            byte[] q = dq.qabsmax();
            out.put(key + ".absmax", Tensor.u8(q, q.length));
            out.put(key + ".nested_absmax", Tensor.f32(dq.absmax2()));
            out.put(key + ".nested_quant_map", Tensor.f32(DynamicMap.SIGNED_8BIT.values()));
            state.addProperty("nested_blocksize", dq.nestedBlockSize());
            state.addProperty("nested_dtype", "float32");
            state.addProperty("nested_offset", dq.offset());
        }
        out.put(key + ".quant_map", Tensor.f32(Nf4.CODE.values()));
        byte[] json = new Gson().toJson(state).getBytes(StandardCharsets.UTF_8);
        out.put(key + QUANT_STATE_SUFFIX, Tensor.u8(json, json.length));
        return out;
    }

    /** Rebuilds the weight stored under {@code key}; other entries in {@code tensors} are ignored. */
    public static Nf4Weight fromTensors(String key, Map<String, Tensor> tensors) {
        JsonObject state = JsonParser.parseString(new String(require(tensors, key + QUANT_STATE_SUFFIX).bytes(),
                StandardCharsets.UTF_8)).getAsJsonObject();
        String type = state.get("quant_type").getAsString();
        if (!"nf4".equals(type)) {
            throw new IllegalArgumentException(key + ": quant_type " + type + " is not supported; only nf4 is");
        }
        if (!Arrays.equals(require(tensors, key + ".quant_map").floats(), Nf4.CODE.values())) {
            throw new IllegalArgumentException(key + ".quant_map is not the NF4 code book");
        }
        JsonArray shapeJson = state.getAsJsonArray("shape");
        int[] shape = new int[shapeJson.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeJson.get(i).getAsInt();
        }
        int blockSize = state.get("blocksize").getAsInt();
        byte[] packed = require(tensors, key).bytes();
        Tensor absmax = require(tensors, key + ".absmax");
        if (!state.has("nested_blocksize")) {
            return Nf4Weight.of(shape, blockSize, packed, absmax.floats(), null);
        }
        if (!Arrays.equals(require(tensors, key + ".nested_quant_map").floats(), DynamicMap.SIGNED_8BIT.values())) {
            throw new IllegalArgumentException(key + ".nested_quant_map is not the signed 8-bit dynamic map");
        }
        DoubleQuantizedAbsmax dq = DoubleQuantizedAbsmax.of(state.get("nested_offset").getAsFloat(), absmax.bytes(),
                require(tensors, key + ".nested_absmax").floats(), state.get("nested_blocksize").getAsInt());
        return Nf4Weight.of(shape, blockSize, packed, null, dq);
    }

    private static Tensor require(Map<String, Tensor> tensors, String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("missing tensor " + name + " (bitsandbytes NF4 packed format)");
        }
        return t;
    }
}
