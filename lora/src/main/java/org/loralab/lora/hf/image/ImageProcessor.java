package org.loralab.lora.hf.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * transformers' {@code ViTImageProcessor} in Java: an image to the {@code pixel_values} a ViT takes. Steps: convert
 * to RGB (grey replicated, alpha dropped, as PIL's {@code convert("RGB")}), resize as Pillow does
 * ({@link PilResize}), rescale, normalise per channel, channels first.
 */
public final class ImageProcessor {
    private final ImageProcessorConfig config;

    public ImageProcessor(ImageProcessorConfig config) {
        this.config = config;
    }

    /** {@code dir/preprocessor_config.json} when present, else ViTImageProcessor's defaults at {@code imageSize}. */
    public static ImageProcessor forModel(Path dir, int imageSize) {
        Path file = dir.resolve("preprocessor_config.json");
        return new ImageProcessor(Files.isRegularFile(file) ? ImageProcessorConfig.read(file)
                : ImageProcessorConfig.defaults(imageSize));
    }

    public ImageProcessorConfig config() {
        return config;
    }

    /** Reads an image file (PNG, JPEG, BMP, GIF); one line when it is not a readable image. */
    public static BufferedImage readImage(Path file) {
        try {
            BufferedImage image = ImageIO.read(file.toFile());
            if (image == null) {
                throw new IllegalArgumentException(file + " is not an image Java can read (PNG, JPEG, BMP, GIF)");
            }
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read image " + file + ": " + e.getMessage(), e);
        }
    }

    /** The pixel values of one image, [3, height, width] flattened channel-first. */
    public float[] pixelValues(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] planes = rgbPlanes(image);
        if (config.doResize() && (w != config.width() || h != config.height())) {
            planes = PilResize.resize(planes, 3, w, h, config.width(), config.height(), config.resample());
            w = config.width();
            h = config.height();
        }
        double scale = config.doRescale() ? config.rescaleFactor() : 1.0;
        double[] mean = config.doNormalize() ? config.mean() : new double[3];
        double[] std = config.doNormalize() ? config.std() : new double[] {1, 1, 1};
        float[] out = new float[planes.length];
        int plane = w * h;
        for (int i = 0; i < planes.length; i++) {
            int c = i / plane;
            out[i] = (float) (((planes[i] & 0xFF) * scale - mean[c]) / std[c]);
        }
        return out;
    }

    /** A batch [B, 3, height, width] (every image must come out the same size: keep do_resize on). */
    public NDArray pixelValues(NDManager manager, List<BufferedImage> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images given");
        }
        float[][] each = new float[images.size()][];
        int h = config.doResize() ? config.height() : images.get(0).getHeight();
        int w = config.doResize() ? config.width() : images.get(0).getWidth();
        for (int i = 0; i < each.length; i++) {
            each[i] = pixelValues(images.get(i));
            if (each[i].length != 3 * h * w) {
                throw new IllegalArgumentException("image " + i + " is not " + w + "x" + h + "; with do_resize off"
                        + " every image of a batch must have the same size");
            }
        }
        float[] flat = new float[each.length * 3 * h * w];
        for (int i = 0; i < each.length; i++) {
            System.arraycopy(each[i], 0, flat, i * each[i].length, each[i].length);
        }
        return manager.create(flat, new Shape(each.length, 3, h, w));
    }

    /** R, G and B planes of the image. One-band 8-bit images are read from the raster: their getRGB is gamma-mapped. */
    static byte[] rgbPlanes(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int plane = w * h;
        byte[] out = new byte[3 * plane];
        Raster raster = image.getRaster();
        if (image.getType() == BufferedImage.TYPE_BYTE_GRAY) {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    byte v = (byte) row[x];
                    out[y * w + x] = v;
                    out[plane + y * w + x] = v;
                    out[2 * plane + y * w + x] = v;
                }
            }
            return out;
        }
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < plane; i++) {
            out[i] = (byte) (argb[i] >> 16);
            out[plane + i] = (byte) (argb[i] >> 8);
            out[2 * plane + i] = (byte) argb[i];
        }
        return out;
    }
}
