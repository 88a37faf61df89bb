package org.loralab.lora.hf.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Environment variables resolved as huggingface_hub's constants.py resolves them (no request is made here). */
class HubSettingsTest {
    @TempDir Path tmp;

    private static HubSettings resolve(Map<String, String> env) {
        return HubSettings.resolve(HubOptions.builder().environment(env::get).build());
    }

    @Test
    void defaultsAreTheHubAndTheCacheUnderHome() {
        HubSettings s = resolve(Map.of("HOME", "/home/u"));

        assertEquals("https://huggingface.co", s.endpoint());
        assertEquals(Path.of("/home/u/.cache/huggingface/hub"), s.cacheDir());
        assertFalse(s.offline());
        assertEquals(Duration.ofSeconds(10), s.metadataTimeout());
    }

    @Test
    void xdgThenHfHomeThenHfHubCacheTakeOver() {
        Map<String, String> env = new HashMap<>(Map.of("HOME", "/home/u", "XDG_CACHE_HOME", "/xdg"));
        assertEquals(Path.of("/xdg/huggingface/hub"), resolve(env).cacheDir());
        env.put("HF_HOME", "~/hf");
        assertEquals(Path.of("/home/u/hf/hub"), resolve(env).cacheDir());
        env.put("HUGGINGFACE_HUB_CACHE", "/legacy");
        assertEquals(Path.of("/legacy"), resolve(env).cacheDir());
        env.put("HF_HUB_CACHE", "/cache");
        assertEquals(Path.of("/cache"), resolve(env).cacheDir());
    }

    @Test
    void endpointOfflineAndTimeoutsFromTheEnvironment() {
        HubSettings s = resolve(Map.of("HOME", "/h", "HF_ENDPOINT", "http://127.0.0.1:9/", "HF_HUB_OFFLINE", "yes",
                "HF_HUB_DOWNLOAD_TIMEOUT", "3"));

        assertEquals("http://127.0.0.1:9", s.endpoint());
        assertTrue(s.offline());
        assertEquals(Duration.ofSeconds(3), s.downloadTimeout());
        assertFalse(resolve(Map.of("HOME", "/h", "HF_HUB_OFFLINE", "0")).offline());
        assertTrue(resolve(Map.of("HOME", "/h", "TRANSFORMERS_OFFLINE", "1")).offline());
    }

    @Test
    void tokenFromHfTokenElseTheTokenFileElseNone() throws Exception {
        Path home = tmp.resolve("hf");
        assertNull(resolve(Map.of("HF_HOME", home.toString())).token());
        Files.createDirectories(home);
        Files.writeString(home.resolve("token"), "hf_file\n");
        assertEquals("hf_file", resolve(Map.of("HF_HOME", home.toString())).token());
        assertEquals("hf_env", resolve(Map.of("HF_HOME", home.toString(), "HF_TOKEN", "hf_env")).token());
        Path other = tmp.resolve("elsewhere");
        Files.writeString(other, "hf_path");
        assertEquals("hf_path", resolve(Map.of("HF_HOME", home.toString(), "HF_TOKEN_PATH", other.toString())).token());
    }

    @Test
    void anIdMayCarryItsRevisionAfterAnAt() {
        assertArrayEquals(new String[] {"org/name", null}, Hub.splitRevision("org/name"));
        assertArrayEquals(new String[] {"org/name", "v1.0"}, Hub.splitRevision("org/name@v1.0"));
        assertArrayEquals(new String[] {"org/name", "refs/pr/1"}, Hub.splitRevision("org/name@refs/pr/1"));
    }

    @Test
    void badIdsAndRevisionsAreRefusedBeforeAnyRequest() {
        for (String id : new String[] {"../x", "a/b/c", "org--x/y", "", "org/na me"}) {
            HubException e = HubTestSupport.failure(() -> Hub.snapshot(id, "main", HubOptions.builder()
                    .environment(Map.of("HF_ENDPOINT", "http://127.0.0.1:9", "HF_HUB_CACHE", tmp.toString())::get).build()));
            assertTrue(e.getMessage().contains("not a Hub model id"), e.getMessage());
        }
        HubException e = HubTestSupport.failure(() -> Hub.snapshot("org/name", "../../etc", HubOptions.builder()
                .environment(Map.of("HF_ENDPOINT", "http://127.0.0.1:9", "HF_HUB_CACHE", tmp.toString())::get).build()));
        assertTrue(e.getMessage().contains("not a revision"), e.getMessage());
    }

    @Test
    void optionsWinOverTheEnvironment() {
        HubSettings s = HubSettings.resolve(HubOptions.builder().environment(Map.of("HF_TOKEN", "env",
                "HF_HUB_OFFLINE", "1", "HOME", "/h")::get).token("opt").offline(false).cacheDir(Path.of("/c"))
                .endpoint("http://127.0.0.1:1").build());

        assertEquals("opt", s.token());
        assertFalse(s.offline());
        assertEquals(Path.of("/c"), s.cacheDir());
        assertEquals("http://127.0.0.1:1", s.endpoint());
    }
}
