package org.loralab.lora.io.safetensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Hand-made safetensors bytes for tests: any header text, any declared length, any data section. */
public final class RawSafetensors {
    private RawSafetensors() {}

    /** 8-byte length (the header's own length), the header, {@code dataBytes} zero bytes. */
    public static Path write(Path file, String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return write(file, h.length, h, new byte[dataBytes]);
    }

    /** A declared length that may lie, then the header bytes and the data bytes as given. */
    public static Path write(Path file, long declaredLength, byte[] header, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength).put(header).put(data);
        try {
            Files.write(file, b.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** One F32 tensor entry. */
    public static String f32(String name, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }
}
