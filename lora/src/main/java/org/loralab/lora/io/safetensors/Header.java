package org.loralab.lora.io.safetensors;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated safetensors header. Every length is checked against the file size before anything is allocated; the
 * checks are those of the reference implementation (entries of the right JSON types, known dtypes, byte sizes that
 * match the shapes, tensors that tile the data section exactly, no trailing bytes).
 */
record Header(Path file, Map<String, TensorInfo> tensors, Map<String, String> metadata, long dataStart) {
    /** The reference implementation's limit on the header length. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    static Header read(Path file, FileChannel ch) {
        try {
            long size = ch.size();
            if (size < 8) {
                throw bad(file, "not a safetensors file: " + size + " bytes, fewer than the 8-byte header length");
            }
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0, file);
            long n = len.getLong(0);
            if (n <= 0) {
                throw bad(file, "header length " + Long.toUnsignedString(n) + " is not a positive number: not a safetensors file");
            }
            if (n > MAX_HEADER_BYTES) {
                throw bad(file, "header length " + n + " is over the " + MAX_HEADER_BYTES + "-byte limit: not a safetensors file");
            }
            if (n > size - 8) {
                throw bad(file, "header length " + n + " runs past the end of the file (" + (size - 8)
                        + " bytes follow the length field): the file is truncated or not safetensors");
            }
            ByteBuffer raw = ByteBuffer.allocate((int) n);
            readFully(ch, raw, 8, file);
            String json = utf8(raw, file);
            Header h = parse(file, json, 8 + n);
            checkLayout(h, size - 8 - n);
            return h;
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long pos, Path file) throws IOException {
        while (dst.hasRemaining()) {
            int r = ch.read(dst, pos + dst.position());
            if (r < 0) {
                throw bad(file, "the file ended while reading it (changed on disk?)");
            }
        }
        dst.flip();
    }

    private static String utf8(ByteBuffer raw, Path file) {
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(raw);
            return cb.toString();
        } catch (CharacterCodingException e) {
            throw bad(file, "the header is not valid UTF-8");
        }
    }

    private static Header parse(Path file, String json, long dataStart) {
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        boolean sawMetadata = false;
        try (JsonReader r = new JsonReader(new StringReader(json))) {
            r.setStrictness(Strictness.STRICT);
            if (r.peek() != JsonToken.BEGIN_OBJECT) {
                throw bad(file, "the header is not a JSON object (it starts with " + r.peek() + ")");
            }
            r.beginObject();
            while (r.hasNext()) {
                String name = r.nextName();
                if (name.equals("__metadata__")) {
                    if (sawMetadata) {
                        throw bad(file, "__metadata__ appears twice");
                    }
                    sawMetadata = true;
                    readMetadata(r, file, metadata);
                    continue;
                }
                if (tensors.containsKey(name)) {
                    throw bad(file, "tensor " + Names.quote(name) + " appears twice in the header");
                }
                tensors.put(name, readEntry(r, file, name));
            }
            r.endObject();
            boolean more;
            try {
                more = r.peek() != JsonToken.END_DOCUMENT;
            } catch (IOException e) {
                more = true;
            }
            if (more) {
                throw bad(file, "the header has text after its JSON object");
            }
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (IOException | IllegalStateException e) {
            throw bad(file, "the header is not valid JSON (" + Names.jsonError(e.getMessage()) + ")");
        }
        return new Header(file, Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata), dataStart);
    }

    private static void readMetadata(JsonReader r, Path file, Map<String, String> out) throws IOException {
        if (r.peek() != JsonToken.BEGIN_OBJECT) {
            throw bad(file, "__metadata__ must be an object of strings, got " + kind(r.peek()));
        }
        r.beginObject();
        while (r.hasNext()) {
            String k = r.nextName();
            if (r.peek() != JsonToken.STRING) {
                throw bad(file, "__metadata__ entry " + Names.quote(k) + " must be a string, got " + kind(r.peek()));
            }
            out.put(k, r.nextString());
        }
        r.endObject();
    }

    private static TensorInfo readEntry(JsonReader r, Path file, String name) throws IOException {
        String t = "tensor " + Names.quote(name) + ": ";
        if (r.peek() != JsonToken.BEGIN_OBJECT) {
            throw bad(file, t + "entry must be an object with dtype, shape and data_offsets, got " + kind(r.peek()));
        }
        String dtype = null;
        long[] shape = null;
        long[] offsets = null;
        r.beginObject();
        while (r.hasNext()) {
            String k = r.nextName();
            switch (k) {
                case "dtype" -> {
                    if (r.peek() != JsonToken.STRING) {
                        throw bad(file, t + "dtype must be a string, got " + kind(r.peek()));
                    }
                    dtype = r.nextString();
                }
                case "shape" -> shape = longs(r, file, t + "shape");
                case "data_offsets" -> offsets = longs(r, file, t + "data_offsets");
                default -> r.skipValue();
            }
        }
        r.endObject();
        if (dtype == null || shape == null || offsets == null) {
            throw bad(file, t + "entry lacks " + (dtype == null ? "dtype" : shape == null ? "shape" : "data_offsets"));
        }
        Dtype d = Dtype.parse(dtype);
        if (d == null) {
            throw bad(file, t + "unknown dtype " + Names.quote(dtype));
        }
        if (offsets.length != 2) {
            throw bad(file, t + "data_offsets must be [begin, end], got " + offsets.length + " numbers");
        }
        if (offsets[0] > offsets[1]) {
            throw bad(file, t + "data_offsets [" + offsets[0] + ", " + offsets[1] + "] are reversed (begin > end)");
        }
        TensorInfo info = new TensorInfo(name, dtype, shape, offsets[0], offsets[1]);
        long bytes;
        try {
            bytes = Math.multiplyExact(info.elements(), d.size);
        } catch (ArithmeticException e) {
            throw bad(file, t + "shape " + java.util.Arrays.toString(shape) + " is too large");
        }
        if (offsets[1] - offsets[0] != bytes) {
            throw bad(file, t + "data_offsets [" + offsets[0] + ", " + offsets[1] + "] span " + (offsets[1] - offsets[0])
                    + " bytes, but " + dtype + java.util.Arrays.toString(shape) + " needs " + bytes);
        }
        return info;
    }

    /** A JSON array of non-negative integers (no fractions, no exponents). */
    private static long[] longs(JsonReader r, Path file, String what) throws IOException {
        if (r.peek() != JsonToken.BEGIN_ARRAY) {
            throw bad(file, what + " must be an array of non-negative integers, got " + kind(r.peek()));
        }
        List<Long> out = new ArrayList<>();
        r.beginArray();
        while (r.hasNext()) {
            if (r.peek() != JsonToken.NUMBER) {
                throw bad(file, what + " must hold non-negative integers, got " + kind(r.peek()));
            }
            String s = r.nextString();
            long v;
            try {
                v = Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw bad(file, what + " must hold non-negative integers, got " + Names.clip(s));
            }
            if (v < 0) {
                throw bad(file, what + " must hold non-negative integers, got " + v);
            }
            out.add(v);
        }
        r.endArray();
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /** The tensors must tile the data section: no overlap, no gap, nothing past its end, no trailing bytes. */
    private static void checkLayout(Header h, long dataBytes) {
        List<TensorInfo> byOffset = new ArrayList<>(h.tensors.values());
        byOffset.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long pos = 0;
        TensorInfo prev = null;
        for (TensorInfo t : byOffset) {
            if (t.end() > dataBytes) {
                throw bad(h.file, "tensor " + Names.quote(t.name()) + ": data_offsets [" + t.begin() + ", " + t.end()
                        + "] run past the end of the data section (" + dataBytes + " bytes): the file is truncated");
            }
            if (t.begin() < pos) {
                throw bad(h.file, "tensors " + Names.quote(prev.name()) + " and " + Names.quote(t.name())
                        + " overlap (data_offsets [" + prev.begin() + ", " + prev.end() + "] and [" + t.begin() + ", "
                        + t.end() + "])");
            }
            if (t.begin() > pos) {
                throw bad(h.file, "tensor " + Names.quote(t.name()) + ": " + (t.begin() - pos)
                        + " unused bytes before its data_offsets [" + t.begin() + ", " + t.end() + "]");
            }
            pos = t.end();
            prev = t;
        }
        if (pos != dataBytes) {
            throw bad(h.file, (dataBytes - pos) + " trailing bytes after the last tensor (the data section has "
                    + dataBytes + " bytes, the tensors cover " + pos + ")");
        }
    }

    private static String kind(JsonToken t) {
        return switch (t) {
            case BEGIN_ARRAY -> "an array";
            case BEGIN_OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> t.toString();
        };
    }

    static IllegalArgumentException bad(Path file, String problem) {
        return new IllegalArgumentException(file + ": " + problem);
    }
}
