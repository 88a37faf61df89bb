package org.loralab.lora.io.safetensors;

import static org.junit.jupiter.api.Assertions.*;
import static org.loralab.lora.io.safetensors.RawSafetensors.f32;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every malformed header is refused on open with one line naming the file and, where there is one, the tensor. */
class SafetensorsHeaderTest {
    @TempDir
    Path dir;

    /** name, header text, data bytes, words the message must contain (the tensor's name where there is one). */
    static Stream<Arguments> badHeaders() {
        return Stream.of(
                Arguments.of("not an object", "[1,2]", 0, "not a JSON object"),
                Arguments.of("not JSON", "{\"a\":", 0, "not valid JSON"),
                Arguments.of("text after the object", "{}  x", 0, "text after"),
                Arguments.of("entry not an object", "{\"w\":5}", 0, "'w'"),
                Arguments.of("dtype not a string", "{\"w\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "'w': dtype"),
                Arguments.of("unknown dtype", "{\"w\":{\"dtype\":\"F31\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "'F31'"),
                Arguments.of("shape not an array", "{\"w\":{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}}", 4, "'w': shape"),
                Arguments.of("negative shape", "{" + f32("w", "[-1]", 0, 4) + "}", 4, "'w': shape"),
                Arguments.of("fractional shape", "{" + f32("w", "[1.5]", 0, 4) + "}", 4, "'w': shape"),
                Arguments.of("string in shape", "{" + f32("w", "[\"1\"]", 0, 4) + "}", 4, "'w': shape"),
                Arguments.of("missing offsets", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, "'w': entry lacks data_offsets"),
                Arguments.of("missing dtype", "{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "lacks dtype"),
                Arguments.of("three offsets", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 4, "'w': data_offsets"),
                Arguments.of("negative offset", "{" + f32("w", "[1]", -4, 0) + "}", 4, "'w': data_offsets"),
                Arguments.of("reversed offsets", "{" + f32("w", "[1]", 4, 0) + "}", 4, "reversed"),
                Arguments.of("size disagrees with shape", "{" + f32("w", "[2]", 0, 4) + "}", 4, "needs 8"),
                Arguments.of("F16 header over F32 bytes", "{\"w\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "needs 4"),
                Arguments.of("past the end", "{" + f32("w", "[2]", 0, 8) + "}", 4, "'w'"),
                Arguments.of("overlap", "{" + f32("a", "[2]", 0, 8) + "," + f32("b", "[2]", 4, 12) + "}", 12, "overlap"),
                Arguments.of("same range twice", "{" + f32("a", "[1]", 0, 4) + "," + f32("b", "[1]", 0, 4) + "}", 4, "overlap"),
                Arguments.of("gap", "{" + f32("a", "[1]", 4, 8) + "}", 8, "unused bytes"),
                Arguments.of("trailing bytes", "{" + f32("a", "[1]", 0, 4) + "}", 4 + 64, "64 trailing bytes"),
                Arguments.of("duplicate tensor", "{" + f32("a", "[1]", 0, 4) + "," + f32("a", "[1]", 0, 4) + "}", 4, "twice"),
                Arguments.of("metadata not an object", "{\"__metadata__\":[1]}", 0, "__metadata__"),
                Arguments.of("metadata value not a string", "{\"__metadata__\":{\"format\":1}}", 0, "'format'"),
                Arguments.of("metadata nested", "{\"__metadata__\":{\"a\":{\"b\":\"c\"}}}", 0, "'a'"),
                Arguments.of("overflowing shape", "{" + f32("w", "[4294967296,4294967296,4294967296]", 0, 4) + "}", 4, "too large"),
                Arguments.of("huge number", "{" + f32("w", "[99999999999999999999]", 0, 4) + "}", 4, "'w': shape"),
                Arguments.of("name with a newline", "{" + f32("a\\nb", "[2]", 0, 4) + "}", 4, "a\\u000ab"),
                Arguments.of("lenient JSON", "{w:{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "not valid JSON"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badHeaders")
    void malformedHeaderIsOneLineNamingFileAndTensor(String name, String header, int dataBytes, String mustContain) {
        Path f = RawSafetensors.write(dir.resolve("bad.safetensors"), header, dataBytes);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Safetensors.open(f).close(), name);
        assertOneLine(e.getMessage(), f);
        assertTrue(e.getMessage().contains(mustContain), name + ": " + e.getMessage());
    }

    @Test
    void lengthsAreCheckedAgainstTheFileBeforeAllocating() throws Exception {
        byte[] small = "{}".getBytes(StandardCharsets.UTF_8);
        long[] lying = {0, -1, (1L << 31) - 16, 5000, 100_000_001L, Long.MAX_VALUE};
        for (long n : lying) {
            Path f = RawSafetensors.write(dir.resolve("lie" + n + ".safetensors"), n, small, new byte[5 * 1024]);
            long before = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Safetensors.open(f).close(), "n=" + n);
            assertOneLine(e.getMessage(), f);
            assertTrue(e.getMessage().contains(n == 5000 ? "text after" : "header length"), e.getMessage());
            long after = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
            assertTrue(after - before < 64L << 20, "no large allocation for n=" + n);
        }
        Path tiny = Files.write(dir.resolve("tiny.safetensors"), new byte[] {1, 2, 3});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Safetensors.open(tiny).close());
        assertTrue(e.getMessage().contains("3 bytes"), e.getMessage());
    }

    @Test
    void invalidUtf8IsRefused() {
        byte[] h = {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'};
        Path f = RawSafetensors.write(dir.resolve("utf.safetensors"), h.length, h, new byte[0]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Safetensors.open(f).close());
        assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
    }

    @Test
    void emptyHeaderObjectAndSpacePaddingAreFine() {
        Path f = RawSafetensors.write(dir.resolve("ok.safetensors"), "{\"__metadata__\":{\"a\":\"b\"}}     ", 0);
        try (TensorSource s = Safetensors.open(f)) {
            assertTrue(s.tensors().isEmpty());
            assertEquals("b", s.metadata().get("a"));
        }
    }

    @Test
    void directoriesAndMissingFilesSayWhatThePathIs() throws Exception {
        Path d = Files.createDirectory(dir.resolve("adir.safetensors"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Safetensors.open(d));
        assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
        java.io.UncheckedIOException u = assertThrows(java.io.UncheckedIOException.class,
                () -> Safetensors.open(dir.resolve("missing.safetensors")));
        assertTrue(u.getMessage().contains("no such file"), u.getMessage());
    }

    static void assertOneLine(String msg, Path file) {
        assertNotNull(msg);
        assertFalse(msg.contains("\n") || msg.contains("\r"), msg);
        assertTrue(msg.length() < 300, msg);
        assertTrue(msg.contains(file.toString()), msg);
    }
}
