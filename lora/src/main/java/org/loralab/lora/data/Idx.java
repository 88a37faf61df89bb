package org.loralab.lora.data;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The IDX file format of (Fashion-)MNIST: big-endian int32 magic, int32 dimensions, then unsigned bytes.
 * Reads raw or gzip files (detected by the gzip magic, not the name) and validates the header against the
 * payload length.
 */
public final class Idx {
    public static final int IMAGES_MAGIC = 0x00000803;
    public static final int LABELS_MAGIC = 0x00000801;

    private Idx() {}

    /** An IDX image file: {@code count} images of rows x cols unsigned bytes, row-major. */
    public record Images(int count, int rows, int cols, byte[] pixels) {}

    /** The decompressed bytes of a raw or gzip file. */
    public static byte[] readPayload(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new DatasetFileException(file, "file not found");
        } catch (IOException e) {
            throw new DatasetFileException(file, "cannot read (" + e.getMessage() + ")", e);
        }
        if (bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
            return gunzip(file, bytes);
        }
        return bytes;
    }

    private static byte[] gunzip(Path file, byte[] gz) {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(gz), 1 << 16)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(gz.length * 2);
            in.transferTo(out);
            return out.toByteArray();
        } catch (EOFException e) {
            throw new DatasetFileException(file, "truncated gzip data (unexpected end of file after "
                    + gz.length + " compressed bytes); delete it and fetch it again", e);
        } catch (ZipException e) {
            throw new DatasetFileException(file, "corrupt gzip data (" + e.getMessage()
                    + "); delete it and fetch it again", e);
        } catch (IOException e) {
            throw new DatasetFileException(file, "cannot decompress (" + e.getMessage() + ")", e);
        }
    }

    /** Parses and validates an image payload read from {@code file} (used in messages). */
    public static Images parseImages(Path file, byte[] payload) {
        ByteBuffer header = header(file, payload, 16, IMAGES_MAGIC, "image");
        int count = header.getInt(4);
        int rows = header.getInt(8);
        int cols = header.getInt(12);
        if (count < 0 || rows <= 0 || cols <= 0) {
            throw new DatasetFileException(file, "bad image header: count " + count + ", rows " + rows
                    + ", cols " + cols);
        }
        long expected = 16L + (long) count * rows * cols;
        checkLength(file, payload, expected, count + " images of " + rows + "x" + cols);
        byte[] pixels = java.util.Arrays.copyOfRange(payload, 16, payload.length);
        return new Images(count, rows, cols, pixels);
    }

    /** Parses and validates a label payload; every label must be below {@code numClasses}. */
    public static byte[] parseLabels(Path file, byte[] payload, int numClasses) {
        ByteBuffer header = header(file, payload, 8, LABELS_MAGIC, "label");
        int count = header.getInt(4);
        if (count < 0) {
            throw new DatasetFileException(file, "bad label header: count " + count);
        }
        checkLength(file, payload, 8L + count, count + " labels");
        byte[] labels = java.util.Arrays.copyOfRange(payload, 8, payload.length);
        for (int i = 0; i < labels.length; i++) {
            if ((labels[i] & 0xff) >= numClasses) {
                throw new DatasetFileException(file, "label " + (labels[i] & 0xff) + " at index " + i
                        + " is outside 0.." + (numClasses - 1));
            }
        }
        return labels;
    }

    private static ByteBuffer header(Path file, byte[] payload, int size, int magic, String kind) {
        if (payload.length < size) {
            throw new DatasetFileException(file, "truncated: " + payload.length + " bytes, shorter than the "
                    + size + "-byte IDX " + kind + " header");
        }
        ByteBuffer header = ByteBuffer.wrap(payload, 0, size); // big-endian by default
        int found = header.getInt(0);
        if (found != magic) {
            throw new DatasetFileException(file, String.format(
                    "wrong magic number 0x%08x, expected 0x%08x (an IDX %s file)", found, magic, kind));
        }
        return header;
    }

    private static void checkLength(Path file, byte[] payload, long expected, String what) {
        if (payload.length < expected) {
            throw new DatasetFileException(file, "truncated: the header announces " + what + " (" + expected
                    + " bytes) but the payload has " + payload.length + " bytes");
        }
        if (payload.length > expected) {
            throw new DatasetFileException(file, "unexpected trailing data: the header announces " + what
                    + " (" + expected + " bytes) but the payload has " + payload.length + " bytes");
        }
    }

    /** Lower-case hex SHA-256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Serialises images as an IDX payload (uncompressed). */
    public static byte[] writeImages(Images images) {
        ByteBuffer b = ByteBuffer.allocate(16 + images.pixels().length);
        b.putInt(IMAGES_MAGIC).putInt(images.count()).putInt(images.rows()).putInt(images.cols());
        b.put(images.pixels());
        return b.array();
    }

    /** Serialises labels as an IDX payload (uncompressed). */
    public static byte[] writeLabels(byte[] labels) {
        ByteBuffer b = ByteBuffer.allocate(8 + labels.length);
        b.putInt(LABELS_MAGIC).putInt(labels.length).put(labels);
        return b.array();
    }
}
