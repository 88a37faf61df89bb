package org.loralab.lora.hf.vit;

import java.awt.image.BufferedImage;

import org.loralab.lora.hf.VitFixtures;
import org.loralab.lora.hf.image.ImageProcessor;

/** A fixture image. */
final class ImageFile {
    private ImageFile() {}

    static BufferedImage read(String name) {
        return ImageProcessor.readImage(VitFixtures.dir(name));
    }
}
