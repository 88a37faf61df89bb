package org.loralab.bench.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.loralab.lora.hf.LoadOptions;
import org.loralab.lora.hf.vit.VitImageClassifier;

/**
 * Loads a ViT-B/16-shaped checkpoint and reports the load time and the JVM process's resident memory: VmRSS before
 * loading (engine started), VmHWM (peak) after, and the checkpoint's size, so that the peak can be read against
 * "the weights once" rather than twice.
 */
public final class VitLoadBench {
    private VitLoadBench() {}

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        long fileBytes = Files.size(dir.resolve("model.safetensors"));
        try (NDManager warm = NDManager.newBaseManager()) {
            warm.ones(new Shape(2, 2)).sum().getFloat(); // start the engine before the baseline
        }
        long before = statusKb("VmRSS");
        long start = System.nanoTime();
        try (VitImageClassifier vit = VitImageClassifier.load(dir)) {
            double seconds = (System.nanoTime() - start) / 1e9;
            long peak = statusKb("VmHWM");
            long after = statusKb("VmRSS");
            try (NDManager m = vit.model().getNDManager().newSubManager()) {
                NDArray x = m.randomNormal(new Shape(1, 3, 224, 224));
                float top = vit.logits(m, x).max().getFloat();
                System.out.printf(Locale.ROOT, "forward ok (max logit %.3f)%n", top);
            }
            System.out.printf(Locale.ROOT, "checkpoint: %s, %.1f MB (F32)%n", dir, fileBytes / 1e6);
            System.out.printf(Locale.ROOT, "load time: %.2f s%n", seconds);
            System.out.printf(Locale.ROOT, "RSS before load: %.0f MB, after: %.0f MB, peak (VmHWM): %.0f MB%n",
                    before / 1024.0, after / 1024.0, peak / 1024.0);
            System.out.printf(Locale.ROOT, "peak - before = %.0f MB = %.2f x the checkpoint%n",
                    (peak - before) / 1024.0, (peak - before) * 1024.0 / fileBytes);
        }
    }

    private static long statusKb(String key) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/self/status"));
        for (String l : lines) {
            if (l.startsWith(key + ":")) {
                return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException(key + " not in /proc/self/status (Linux only)");
    }
}
