package org.loralab.lora.io.safetensors;

import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.loralab.lora.io.AtomicFiles;
import org.loralab.lora.io.IoErrors;

/**
 * Writes a .safetensors file laid out as the reference writer lays it out: tensors by descending dtype, then by name;
 * a compact JSON header with {@code __metadata__} first, padded with spaces to a multiple of 8 bytes.
 */
final class SafetensorsWriter {
    private SafetensorsWriter() {}

    static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) {
        List<Map.Entry<String, NDArray>> order = new ArrayList<>(tensors.entrySet());
        for (Map.Entry<String, NDArray> e : order) {
            if (e.getKey() == null || e.getKey().isEmpty() || e.getKey().equals("__metadata__")) {
                throw new IllegalArgumentException(file + ": tensor name " + Names.quote(String.valueOf(e.getKey()))
                        + " cannot be written (empty or reserved)");
            }
            Dtype.of(e.getValue().getDataType(), e.getKey());
        }
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException(file + ": metadata keys and values must be strings, got " + e);
            }
        }
        order.sort((a, b) -> {
            int byType = Dtype.of(b.getValue().getDataType(), b.getKey()).compareTo(Dtype.of(a.getValue().getDataType(), a.getKey()));
            return byType != 0 ? byType : Arrays.compareUnsigned(utf8(a.getKey()), utf8(b.getKey()));
        });
        byte[] header = header(order, metadata);
        try {
            AtomicFiles.write(file, os -> body(os, header, order));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file + ": " + IoErrors.reason(e), e);
        }
    }

    private static byte[] header(List<Map.Entry<String, NDArray>> order, Map<String, String> metadata) {
        Map<String, String> meta = new TreeMap<>();
        meta.put("format", "pt");
        meta.putAll(metadata);
        StringBuilder json = new StringBuilder("{\"__metadata__\":{");
        String sep = "";
        for (Map.Entry<String, String> e : meta.entrySet()) {
            json.append(sep).append(quote(e.getKey())).append(':').append(quote(e.getValue()));
            sep = ",";
        }
        json.append('}');
        long offset = 0;
        for (Map.Entry<String, NDArray> e : order) {
            NDArray a = e.getValue();
            Dtype d = Dtype.of(a.getDataType(), e.getKey());
            long bytes = Math.multiplyExact(a.getShape().size(), (long) d.size);
            json.append(',').append(quote(e.getKey())).append(":{\"dtype\":\"").append(d.name()).append("\",\"shape\":[");
            long[] shape = a.getShape().getShape();
            for (int i = 0; i < shape.length; i++) {
                json.append(i == 0 ? "" : ",").append(shape[i]);
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        json.append('}');
        byte[] raw = utf8(json.toString());
        int padded = raw.length + (8 - raw.length % 8) % 8;
        byte[] out = Arrays.copyOf(raw, padded);
        Arrays.fill(out, raw.length, padded, (byte) ' ');
        return out;
    }

    private static void body(OutputStream os, byte[] header, List<Map.Entry<String, NDArray>> order) throws IOException {
        WritableByteChannel ch = Channels.newChannel(os);
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
        os.write(len.array());
        os.write(header);
        for (Map.Entry<String, NDArray> e : order) {
            ByteBuffer data = e.getValue().toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            while (data.hasRemaining()) {
                ch.write(data);
            }
        }
        os.flush();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A JSON string as serde_json writes it: quote, backslash and control characters escaped, the rest as is. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
