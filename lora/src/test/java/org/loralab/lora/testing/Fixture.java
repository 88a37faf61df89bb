package org.loralab.lora.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Reads a reference fixture written by {@code tools/fixtures/make_fixtures.py} from the test class path
 * ({@code /fixtures/<name>.json}).
 *
 * <p>Format: {@code {"name", "description", "params": {key: number|string|bool}, "tensors": {key:
 * {"dtype": "float32"|"int64", "shape": [...], "data": [flat row-major values]}}}}.
 *
 * <pre>{@code
 * Fixture f = Fixture.load("lora_linear");
 * NDArray w = f.array(manager, "weight");          // float32 or int64, with its shape
 * double s = f.param("scaling");
 * Fixture.assertClose(f.array(manager, "y"), actual, 1e-5, "lora_linear y");
 * }</pre>
 */
public final class Fixture {

    private final String name;
    private final JsonObject params;
    private final JsonObject tensors;

    private Fixture(String name, JsonObject root) {
        this.name = name;
        this.params = root.getAsJsonObject("params");
        this.tensors = root.getAsJsonObject("tensors");
    }

    /** Loads {@code /fixtures/<name>.json}; fails with the regeneration command if it is missing. */
    public static Fixture load(String name) {
        String resource = "/fixtures/" + name + ".json";
        try (InputStream in = Fixture.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + resource
                        + " on the test class path; regenerate with /usr/bin/python3 tools/fixtures/make_fixtures.py");
            }
            try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                return new Fixture(name, JsonParser.parseReader(reader).getAsJsonObject());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
    }

    public String name() {
        return name;
    }

    public Set<String> tensorNames() {
        return tensors.keySet();
    }

    public boolean hasParam(String key) {
        return params.has(key);
    }

    public double param(String key) {
        return requireParam(key).getAsDouble();
    }

    public int intParam(String key) {
        return requireParam(key).getAsInt();
    }

    public boolean boolParam(String key) {
        return requireParam(key).getAsBoolean();
    }

    public Shape shape(String tensor) {
        JsonArray dims = requireTensor(tensor).getAsJsonArray("shape");
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = dims.get(i).getAsLong();
        }
        return new Shape(shape);
    }

    public float[] floats(String tensor) {
        JsonArray data = requireTensor(tensor).getAsJsonArray("data");
        float[] out = new float[data.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.get(i).getAsFloat();
        }
        return out;
    }

    public long[] longs(String tensor) {
        JsonArray data = requireTensor(tensor).getAsJsonArray("data");
        long[] out = new long[data.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.get(i).getAsLong();
        }
        return out;
    }

    /** The tensor as an NDArray of its dtype (FLOAT32 or INT64) and shape, owned by {@code manager}. */
    public NDArray array(NDManager manager, String tensor) {
        String dtype = requireTensor(tensor).get("dtype").getAsString();
        return switch (dtype) {
            case "float32" -> manager.create(floats(tensor), shape(tensor));
            case "int64" -> manager.create(longs(tensor), shape(tensor));
            default -> throw new IllegalArgumentException("fixture " + name + ": tensor " + tensor
                    + " has unsupported dtype " + dtype);
        };
    }

    /**
     * Asserts same shape and {@code |actual - expected| <= atol + rtol * |expected|} element-wise (numpy's
     * allclose rule), reporting the worst element.
     */
    public static void assertClose(NDArray expected, NDArray actual, double atol, double rtol, String what) {
        assertEquals(expected.getShape(), actual.getShape(), what + ": shape");
        float[] e = expected.toType(DataType.FLOAT32, false).toFloatArray();
        float[] a = actual.toType(DataType.FLOAT32, false).toFloatArray();
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < e.length; i++) {
            double diff = Math.abs((double) a[i] - e[i]);
            double excess = diff - (atol + rtol * Math.abs(e[i]));
            if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Double.isNaN(diff))) {
                worst = i;
                worstExcess = excess;
            }
        }
        if (worst >= 0) {
            fail(String.format("%s: element %d is %s, expected %s (atol %.1e, rtol %.1e)", what, worst,
                    a[worst], e[worst], atol, rtol));
        }
    }

    /** {@link #assertClose(NDArray, NDArray, double, double, String)} with rtol = atol. */
    public static void assertClose(NDArray expected, NDArray actual, double tol, String what) {
        assertClose(expected, actual, tol, tol, what);
    }

    private JsonElement requireParam(String key) {
        JsonElement e = params.get(key);
        if (e == null) {
            throw new IllegalArgumentException("fixture " + name + " has no param " + key + "; has " + params.keySet());
        }
        return e;
    }

    private JsonObject requireTensor(String key) {
        JsonObject t = tensors.getAsJsonObject(key);
        if (t == null) {
            throw new IllegalArgumentException("fixture " + name + " has no tensor " + key + "; has " + tensors.keySet());
        }
        return t;
    }
}
