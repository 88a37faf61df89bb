package org.loralab.lora.hf.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.function.Executable;

/** Shared pieces of the Hub tests: an environment that only names the fake server and a temporary cache. */
final class HubTestSupport {
    static final String REPO = "tiny-org/tiny-model";

    private HubTestSupport() {}

    /** The only environment the downloader sees: the endpoint on 127.0.0.1 and a cache in the test's folder. */
    static Map<String, String> env(FakeHub hub, Path cache) {
        Map<String, String> env = new HashMap<>();
        env.put("HF_ENDPOINT", hub.endpoint());
        env.put("HF_HUB_CACHE", cache.toString());
        env.put("HF_HOME", cache.resolveSibling("hf-home").toString());
        return env;
    }

    static HubOptions options(Map<String, String> env) {
        return HubOptions.builder().environment(env::get).build();
    }

    static HubException failure(Executable call) {
        HubException e = assertThrows(HubException.class, call);
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }

    static void assertSameBytes(byte[] expected, Path file) {
        try {
            assertArrayEquals(expected, Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path repoFolder(Path cache) {
        return cache.resolve("models--tiny-org--tiny-model");
    }
}
