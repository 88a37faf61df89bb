package org.loralab.lora.hf.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.loralab.lora.hf.hub.HubTestSupport.REPO;
import static org.loralab.lora.hf.hub.HubTestSupport.assertSameBytes;
import static org.loralab.lora.hf.hub.HubTestSupport.env;
import static org.loralab.lora.hf.hub.HubTestSupport.failure;
import static org.loralab.lora.hf.hub.HubTestSupport.options;
import static org.loralab.lora.hf.hub.HubTestSupport.repoFolder;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each fault of the Hub on its own: 404, 401 and the token, a cut connection, a corrupt blob, no server. */
class HubFaultsTest extends FakeHubTest {
    HubFaultsTest() {
        super(2, 60_000);
    }

    @Test
    void unknownRepositoryIsOneLine404() {
        HubException e = failure(() -> Hub.snapshot("tiny-org/no-such-model", "main", options(env(hub, cache))));

        assertTrue(e.getMessage().contains("tiny-org/no-such-model") && e.getMessage().contains("404"), e.getMessage());
        assertFalse(Files.exists(cache.resolve("models--tiny-org--no-such-model")), "nothing written");
    }

    @Test
    void unknownRevisionIsOneLine404() {
        HubException e = failure(() -> Hub.snapshot(REPO, "v9.9", options(env(hub, cache))));

        assertTrue(e.getMessage().contains("revision not found") && e.getMessage().contains("v9.9"), e.getMessage());
    }

    @Test
    void privateRepositoryWithoutTokenIs401SayingSetHfToken() {
        hub.requiredToken = "hf_secret";

        HubException e = failure(() -> Hub.snapshot(REPO, "main", options(env(hub, cache))));

        assertTrue(e.getMessage().contains("401") && e.getMessage().contains("set HF_TOKEN"), e.getMessage());
        assertNull(hub.requests.get(0).authorization());
    }

    @Test
    void theRightTokenFromHfTokenGetsIn() {
        hub.requiredToken = "hf_secret";
        Map<String, String> env = env(hub, cache);
        env.put("HF_TOKEN", "hf_secret");

        Path snap = Hub.snapshot(REPO, "main", options(env));

        assertSameBytes(model.get("model.safetensors"), snap.resolve("model.safetensors"));
        assertTrue(hub.requests.stream().filter(r -> !r.path().startsWith("/cdn/"))
                .allMatch(r -> "Bearer hf_secret".equals(r.authorization())), "every Hub call carries the token");
    }

    @Test
    void theTokenFileUnderHfHomeIsUsedAndAWrongTokenIsNamed() throws Exception {
        hub.requiredToken = "hf_from_file";
        Map<String, String> env = env(hub, cache);
        Path home = Path.of(env.get("HF_HOME"));
        Files.createDirectories(home);
        Files.writeString(home.resolve("token"), "hf_from_file\n");

        assertSameBytes(model.get("config.json"), Hub.snapshot(REPO, "main", options(env)).resolve("config.json"));

        env.put("HF_TOKEN", "hf_wrong");
        HubException e = failure(() -> Hub.snapshot(REPO, "v-other", options(env)));
        assertTrue(e.getMessage().contains("401") && e.getMessage().contains("refused the token"), e.getMessage());
    }

    @Test
    void aCutTransferIsResumedWithRangeInTheSameCall() {
        hub.cutAfter = 70_000;
        hub.cuts.set(1);

        Path snap = Hub.snapshot(REPO, "main", options(env(hub, cache)));

        assertSameBytes(model.get("model.safetensors"), snap.resolve("model.safetensors"));
        List<FakeHub.Request> cdn = hub.requests("/cdn/");
        assertEquals(2, cdn.size());
        assertNull(cdn.get(0).range());
        assertTrue(cdn.get(1).range().matches("bytes=\\d+-"), cdn.get(1).range());
        long resumedAt = Long.parseLong(cdn.get(1).range().replaceAll("\\D", ""));
        assertTrue(resumedAt > 0 && resumedAt <= 70_000, "resumed after the bytes that arrived: " + resumedAt);
    }

    @Test
    void aStalledTransferIsAbandonedAfterTheDownloadTimeoutAndResumed() {
        hub.cutAfter = 30_000;
        hub.cuts.set(1);
        hub.stallMillis = 8_000;
        Map<String, String> env = env(hub, cache);
        env.put("HF_HUB_DOWNLOAD_TIMEOUT", "1");
        long t0 = System.nanoTime();

        Path snap = Hub.snapshot(REPO, "main", options(env));

        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        assertTrue(seconds < 6, "gave up on the silent connection after about 1 s, not 8: " + seconds);
        assertSameBytes(model.get("model.safetensors"), snap.resolve("model.safetensors"));
        assertTrue(hub.requests("/cdn/").get(1).range().startsWith("bytes="));
    }

    @Test
    void aTransferCutEveryTimeFailsInOneLineKeepsThePartAndTheNextCallResumes() throws Exception {
        hub.cutAfter = 50_000;
        hub.cuts.set(BlobFetcher.MAX_ATTEMPTS);
        String sha = FakeRepo.sha256(model.get("model.safetensors"));
        Path part = repoFolder(cache).resolve("blobs/" + sha + ".incomplete");

        HubException e = failure(() -> Hub.snapshot(REPO, "main", options(env(hub, cache))));

        assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("run again to resume"), e.getMessage());
        long kept = Files.size(part);
        assertTrue(kept > 0 && kept < model.get("model.safetensors").length, "partial bytes kept: " + kept);
        assertFalse(Files.exists(repoFolder(cache).resolve("snapshots")), "no half snapshot");
        assertFalse(Files.exists(repoFolder(cache).resolve("refs/main")), "no ref to a half snapshot");
        hub.requests.clear();

        Path snap = Hub.snapshot(REPO, "main", options(env(hub, cache)));

        assertSameBytes(model.get("model.safetensors"), snap.resolve("model.safetensors"));
        List<FakeHub.Request> cdn = hub.requests("/cdn/");
        assertEquals(1, cdn.size());
        assertEquals("bytes=" + kept + "-", cdn.get(0).range(), "the next call asks only for the missing bytes");
        assertFalse(Files.exists(part));
    }

    @Test
    void aChecksumMismatchDeletesTheBlobAndLeavesNoSnapshot() throws Exception {
        hub.corrupt = true;
        String sha = FakeRepo.sha256(model.get("model.safetensors"));

        HubException e = failure(() -> Hub.snapshot(REPO, "main", options(env(hub, cache))));

        assertTrue(e.getMessage().contains("sha256 mismatch") && e.getMessage().contains("model.safetensors")
                && e.getMessage().contains(sha), e.getMessage());
        Path blobs = repoFolder(cache).resolve("blobs");
        assertFalse(Files.exists(blobs.resolve(sha)));
        assertFalse(Files.exists(blobs.resolve(sha + ".incomplete")));
        assertFalse(Files.exists(repoFolder(cache).resolve("snapshots")), "nothing in snapshots");

        hub.corrupt = false;
        assertSameBytes(model.get("model.safetensors"),
                Hub.snapshot(REPO, "main", options(env(hub, cache))).resolve("model.safetensors"));
    }

    @Test
    void connectionRefusedIsOneLineNamingTheHost() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Map<String, String> env = env(hub, cache);
        env.put("HF_ENDPOINT", "http://127.0.0.1:" + port);

        HubException e = failure(() -> Hub.snapshot(REPO, "main", options(env)));

        assertTrue(e.getMessage().contains("127.0.0.1:" + port) && e.getMessage().contains("connection refused")
                && e.getMessage().contains("HF_HUB_OFFLINE"), e.getMessage());
    }

    @Test
    void whenTheHubCannotBeReachedACachedSnapshotIsUsed() throws Exception {
        Path first = Hub.snapshot(REPO, "main", options(env(hub, cache)));
        Map<String, String> env = env(hub, cache);
        hub.close();

        assertEquals(first, Hub.snapshot(REPO, "main", options(env)));
    }

    @Test
    void anUnsafeFileNameFromTheServerIsRefused() {
        hub.repo("tiny-org/evil").commit("main", Map.of("../../escape.json", new byte[] {1}, "config.json", new byte[] {2}));
        HubOptions o = HubOptions.builder().environment(env(hub, cache)::get).allowPatterns(List.of("*")).build();

        HubException e = failure(() -> Hub.snapshot("tiny-org/evil", "main", o));

        assertTrue(e.getMessage().contains("unsafe file name '../../escape.json'"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("escape.json")));
        assertFalse(Files.exists(cache.resolve("escape.json")));
    }
}
