package org.loralab.lora.hf.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import com.google.gson.JsonArray;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loralab.lora.hf.VitFixtures;
import org.loralab.lora.io.safetensors.Safetensors;
import org.loralab.lora.io.safetensors.TensorSource;
import org.loralab.lora.testing.ManagedTest;

/** ViTImageProcessor's steps against Pillow + numpy in make_vit_fixture.py. */
class ImageProcessorTest extends ManagedTest {
    @TempDir
    Path tmp;

    private static ImageProcessor processor() {
        return ImageProcessor.forModel(VitFixtures.dir("classifier"), 224);
    }

    /**
     * The RGB image is shrunk on both axes (45x37 to 32x32, the filter's support widens), the grey one enlarged
     * (28x28 to 32x32) and replicated to RGB. Resizing is Pillow's to the byte, so only the float rounding of
     * rescale/normalise remains: 1e-5.
     */
    @Test
    void pixelValuesMatchPillowAndNumpy() {
        try (TensorSource expected = Safetensors.open(VitFixtures.dir("expected-pixel-values.safetensors"))) {
            for (String image : List.of("image-rgb.png", "image-gray.png")) {
                BufferedImage img = ImageProcessor.readImage(VitFixtures.dir(image));
                float[] want = expected.read(image, m, DataType.FLOAT32).toFloatArray();
                VitFixtures.assertClose(want, processor().pixelValues(img), 1e-5, image);
            }
        }
    }

    @Test
    void configIsReadFromPreprocessorConfig() {
        ImageProcessorConfig c = processor().config();
        assertEquals(32, c.height());
        assertEquals(32, c.width());
        assertEquals(PilResize.Filter.BILINEAR, c.resample());
        assertArrayEquals(new double[] {0.485, 0.456, 0.406}, c.mean());
        assertArrayEquals(new double[] {0.229, 0.224, 0.225}, c.std());
        assertEquals(1 / 255.0, c.rescaleFactor(), 1e-15);
        ImageProcessorConfig d = ImageProcessor.forModel(VitFixtures.dir("backbone"), 48).config();
        assertEquals(48, d.height());
        assertArrayEquals(new double[] {0.5, 0.5, 0.5}, d.mean());
    }

    @Test
    void bicubicMatchesPillowToTheByte() {
        JsonArray want = VitFixtures.expected().getAsJsonArray("bicubic 16x12 of image-rgb.png");
        BufferedImage img = ImageProcessor.readImage(VitFixtures.dir("image-rgb.png"));
        byte[] got = PilResize.resize(ImageProcessor.rgbPlanes(img), 3, 45, 37, 16, 12, PilResize.Filter.BICUBIC);
        assertEquals(want.size(), got.length);
        for (int i = 0; i < got.length; i++) {
            assertEquals(want.get(i).getAsInt(), got[i] & 0xFF, "byte " + i);
        }
    }

    @Test
    void batchHasModelShape() {
        BufferedImage img = ImageProcessor.readImage(VitFixtures.dir("image-gray.png"));
        assertEquals(new Shape(2, 3, 32, 32), processor().pixelValues(m, List.of(img, img)).getShape());
    }

    @Test
    void badPreprocessorConfigIsOneLineNamingTheKey() throws IOException {
        Path f = tmp.resolve("preprocessor_config.json");
        for (String[] c : new String[][] {
            {"{\"resample\": 1}", "resample"},
            {"{\"size\": {\"shortest_edge\": 224}}", "size"},
            {"{\"image_mean\": [0.5, 0.5]}", "image_mean"},
            {"{\"do_normalize\": \"yes\"}", "do_normalize"},
            {"{\"image_processor_type\": \"CLIPImageProcessor\"}", "CLIPImageProcessor"},
            {"[]", "JSON object"}}) {
            Files.writeString(f, c[0]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ImageProcessorConfig.read(f));
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void unreadableImageIsOneLine() throws IOException {
        Path f = Files.writeString(tmp.resolve("x.png"), "not an image");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageProcessor.readImage(f));
        assertTrue(e.getMessage().contains("x.png"), e.getMessage());
    }
}
