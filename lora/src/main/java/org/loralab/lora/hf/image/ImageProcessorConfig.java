package org.loralab.lora.hf.image;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The settings of transformers' {@code ViTImageProcessor} ({@code preprocessor_config.json}), with its defaults for
 * absent keys: resize to {@code size} {height, width} with {@code resample} (2 = bilinear), rescale by
 * {@code rescale_factor} (1/255), normalise with {@code image_mean} / {@code image_std} (0.5 each).
 */
public record ImageProcessorConfig(boolean doResize, int height, int width, PilResize.Filter resample,
        boolean doRescale, double rescaleFactor, boolean doNormalize, double[] mean, double[] std) {

    static final long MAX_BYTES = 1L << 20;
    private static final double[] HALF = {0.5, 0.5, 0.5};

    public ImageProcessorConfig {
        mean = mean.clone();
        std = std.clone();
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("image_mean and image_std need 3 values (R, G, B), got "
                    + Arrays.toString(mean) + " and " + Arrays.toString(std));
        }
        for (double s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("image_std values must be positive, got " + Arrays.toString(std));
            }
        }
        if (doResize && (height <= 0 || width <= 0)) {
            throw new IllegalArgumentException("size must be positive, got " + height + "x" + width);
        }
    }

    @Override
    public double[] mean() {
        return mean.clone();
    }

    @Override
    public double[] std() {
        return std.clone();
    }

    /** ViTImageProcessor's defaults for an image of {@code size} x {@code size}. */
    public static ImageProcessorConfig defaults(int size) {
        return new ImageProcessorConfig(true, size, size, PilResize.Filter.BILINEAR, true, 1 / 255.0, true, HALF,
                HALF);
    }

    /** Reads {@code preprocessor_config.json}; one line naming the file and the key on bad content. */
    public static ImageProcessorConfig read(Path file) {
        String text;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new IllegalArgumentException(file + " is larger than " + MAX_BYTES + " bytes; not a"
                        + " preprocessor_config.json");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + " does not exist", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        JsonObject o;
        try {
            JsonElement root = JsonParser.parseString(text);
            if (root == null || !root.isJsonObject()) {
                throw new IllegalArgumentException(file + " must hold a JSON object");
            }
            o = root.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + e.getMessage().lines().findFirst()
                    .orElse(""), e);
        }
        return from(file, o);
    }

    private static ImageProcessorConfig from(Path file, JsonObject o) {
        Fields f = new Fields(file, o);
        String type = f.string("image_processor_type", "ViTImageProcessor");
        if (!type.equals("ViTImageProcessor") && !type.equals("ViTImageProcessorFast")) {
            throw new IllegalArgumentException(file + ": image_processor_type \"" + type + "\" is not supported;"
                    + " supported: ViTImageProcessor");
        }
        int[] size = f.size();
        PilResize.Filter filter;
        try {
            filter = PilResize.Filter.of(f.integer("resample", 2));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        if (f.bool("do_center_crop", false)) {
            throw new IllegalArgumentException(file + ": do_center_crop true is not supported (ViTImageProcessor"
                    + " does not crop)");
        }
        return new ImageProcessorConfig(f.bool("do_resize", true), size[0], size[1], filter,
                f.bool("do_rescale", true), f.number("rescale_factor", 1 / 255.0), f.bool("do_normalize", true),
                f.triple("image_mean"), f.triple("image_std"));
    }

    /** Typed access with one-line errors. */
    private record Fields(Path file, JsonObject o) {
        boolean bool(String key, boolean dflt) {
            JsonElement e = o.get(key);
            if (e == null || e.isJsonNull()) {
                return dflt;
            }
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean()) {
                return e.getAsBoolean();
            }
            throw error(key, "true or false", e);
        }

        double number(String key, double dflt) {
            JsonElement e = o.get(key);
            if (e == null || e.isJsonNull()) {
                return dflt;
            }
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
                return e.getAsDouble();
            }
            throw error(key, "a number", e);
        }

        int integer(String key, int dflt) {
            double d = number(key, dflt);
            if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
                throw error(key, "an integer", o.get(key));
            }
            return (int) d;
        }

        String string(String key, String dflt) {
            JsonElement e = o.get(key);
            if (e == null || e.isJsonNull()) {
                return dflt;
            }
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
                return e.getAsString();
            }
            throw error(key, "a string", e);
        }

        /** {@code size}: {"height": h, "width": w}, or one number for both (older files); 224 when absent. */
        int[] size() {
            JsonElement e = o.get("size");
            if (e == null || e.isJsonNull()) {
                return new int[] {224, 224};
            }
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
                int s = integer("size", 224);
                return new int[] {s, s};
            }
            if (e.isJsonObject() && e.getAsJsonObject().has("height") && e.getAsJsonObject().has("width")) {
                Fields inner = new Fields(file, e.getAsJsonObject());
                return new int[] {inner.integer("height", 0), inner.integer("width", 0)};
            }
            throw error("size", "{\"height\": H, \"width\": W} (shortest_edge resizing is not supported)", e);
        }

        double[] triple(String key) {
            JsonElement e = o.get(key);
            if (e == null || e.isJsonNull()) {
                return HALF.clone();
            }
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
                double v = e.getAsDouble();
                return new double[] {v, v, v};
            }
            if (e.isJsonArray() && e.getAsJsonArray().size() == 3) {
                JsonArray a = e.getAsJsonArray();
                double[] out = new double[3];
                for (int i = 0; i < 3; i++) {
                    if (!a.get(i).isJsonPrimitive() || !a.get(i).getAsJsonPrimitive().isNumber()) {
                        throw error(key, "3 numbers", e);
                    }
                    out[i] = a.get(i).getAsDouble();
                }
                return out;
            }
            throw error(key, "3 numbers", e);
        }

        IllegalArgumentException error(String key, String expected, JsonElement got) {
            return new IllegalArgumentException(file + ": \"" + key + "\" must be " + expected + ", got " + got);
        }
    }
}
