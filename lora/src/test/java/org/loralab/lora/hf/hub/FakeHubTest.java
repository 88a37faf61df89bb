package org.loralab.lora.hf.hub;

import static org.loralab.lora.hf.hub.HubTestSupport.REPO;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A fake Hub on 127.0.0.1 serving one tiny model at {@code main}, and an empty cache folder, for each test. */
abstract class FakeHubTest {
    @TempDir Path tmp;
    FakeHub hub;
    Map<String, byte[]> model;
    String commit;
    Path cache;

    private final long seed;
    private final int floats;

    FakeHubTest(long seed, int floats) {
        this.seed = seed;
        this.floats = floats;
    }

    @BeforeEach
    void startHub() throws Exception {
        hub = new FakeHub();
        model = FakeRepo.tinyModel(seed, floats);
        commit = hub.repo(REPO).commit("main", model);
        cache = tmp.resolve("hub-cache");
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }
}
