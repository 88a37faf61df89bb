package org.loralab.lora.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The tiny ViT fixtures of {@code tools/hf-fixtures/make_vit_fixture.py} (test resources {@code hf/vit-tiny}) and
 * the outputs its independent Python forward computed.
 */
public final class VitFixtures {
    private VitFixtures() {}

    /** The fixture root, or one of its model directories ("classifier", "classifier-f16", "backbone", ...). */
    public static Path dir(String name) {
        try {
            Path root = Path.of(VitFixtures.class.getResource("/hf/vit-tiny").toURI());
            return name.isEmpty() ? root : root.resolve(name);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static JsonObject expected() {
        try {
            return JsonParser.parseString(Files.readString(dir("expected.json"))).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static float[] floats(JsonArray a) {
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsFloat();
        }
        return out;
    }

    /** The script's test input: sin(0.37 i + 1.3 b) over the flat CHW index i of image b, as float32. */
    public static NDArray pixels(NDManager m, int batch, int channels, int size) {
        int n = channels * size * size;
        float[] v = new float[batch * n];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < n; i++) {
                v[b * n + i] = (float) Math.sin(0.37 * i + 1.3 * b);
            }
        }
        return m.create(v, new Shape(batch, channels, size, size));
    }

    /** Copies a fixture model directory into {@code target} (to alter a file of it). */
    public static Path copy(String name, Path target) {
        try (Stream<Path> files = Files.list(dir(name))) {
            Files.createDirectories(target);
            for (Path f : files.toList()) {
                Files.copy(f, target.resolve(f.getFileName().toString()));
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void assertClose(float[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(expected[i] - actual[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        if (!(worst <= tol)) {
            throw new AssertionError(what + ": max |diff| " + worst + " at " + at + " (expected " + expected[at]
                    + ", got " + actual[at] + ") over tolerance " + tol);
        }
    }
}
