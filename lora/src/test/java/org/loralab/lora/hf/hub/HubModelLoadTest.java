package org.loralab.lora.hf.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.loralab.lora.hf.hub.HubTestSupport.env;
import static org.loralab.lora.hf.hub.HubTestSupport.options;

import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loralab.lora.hf.HfModels;
import org.loralab.lora.hf.LoadOptions;
import org.loralab.lora.hf.VitFixtures;
import org.loralab.lora.hf.vit.VitImageClassifier;
import org.loralab.lora.testing.ManagedTest;

/** Download then load: the tiny ViT served by the fake Hub on 127.0.0.1 gives the reference logits from the cache. */
class HubModelLoadTest extends ManagedTest {
    @TempDir
    Path tmp;

    @Test
    void aModelDownloadedFromTheHubLoadsWithTheReferenceLogits() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (Stream<Path> list = Files.list(VitFixtures.dir("classifier"))) {
            for (Path f : list.toList()) {
                files.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
        }
        try (FakeHub hub = new FakeHub()) {
            hub.repo("tiny-org/vit-tiny").commit("main", files);
            Path snapshot = Hub.snapshot("tiny-org/vit-tiny", "main", options(env(hub, tmp.resolve("cache"))));

            assertEquals(snapshot, HfModels.resolve(snapshot.toString()), "a local directory is used as it is");
            try (VitImageClassifier vit = (VitImageClassifier) HfModels.load(snapshot, LoadOptions.defaults())) {
                NDArray logits = vit.logits(m, VitFixtures.pixels(m, 2, 3, 32));
                float[] expected = VitFixtures.floats(
                        VitFixtures.expected().getAsJsonObject("classifier").getAsJsonArray("logits"));
                VitFixtures.assertClose(expected, logits.toFloatArray(), 1e-4, "logits after a Hub download");
            }
        }
    }
}
