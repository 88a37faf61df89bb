package org.loralab.lora.hf.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.loralab.lora.hf.hub.HubTestSupport.REPO;
import static org.loralab.lora.hf.hub.HubTestSupport.assertSameBytes;
import static org.loralab.lora.hf.hub.HubTestSupport.env;
import static org.loralab.lora.hf.hub.HubTestSupport.options;
import static org.loralab.lora.hf.hub.HubTestSupport.repoFolder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Downloads from the fake Hub on 127.0.0.1 into the standard cache layout, and what lands where. */
class HubDownloadTest extends FakeHubTest {
    HubDownloadTest() {
        super(1, 50_000);
    }

    @Test
    void downloadsTheModelFilesIntoTheStandardLayout() throws Exception {
        Path snap = Hub.snapshot(REPO, "main", options(env(hub, cache)));

        Path repo = repoFolder(cache);
        assertEquals(repo.resolve("snapshots").resolve(commit), snap);
        assertEquals(commit, Files.readString(repo.resolve("refs/main")), "refs/main holds the commit, no newline");
        for (String f : List.of("config.json", "tokenizer.json", "model.safetensors")) {
            Path link = snap.resolve(f);
            String etag = FakeRepo.etag(f, model.get(f));
            assertTrue(Files.isSymbolicLink(link), f);
            assertEquals(Path.of("../../blobs/" + etag), Files.readSymbolicLink(link), f + " links relatively to its blob");
            assertSameBytes(model.get(f), link);
        }
        try (Stream<Path> s = Files.list(snap)) {
            assertEquals(Set.of("config.json", "tokenizer.json", "model.safetensors"),
                    s.map(p -> p.getFileName().toString()).collect(Collectors.toSet()), "no pickle, no README");
        }
        assertTrue(hub.requests("/tiny-org/tiny-model/resolve/").stream().noneMatch(r -> r.path().endsWith(".bin")));
        try (Stream<Path> s = Files.list(repo.resolve("blobs"))) {
            assertTrue(s.noneMatch(p -> p.toString().endsWith(".incomplete")));
        }
    }

    @Test
    void followsTheAbsoluteRedirectToTheCdnForLfsFiles() {
        Hub.snapshot(REPO, "main", options(env(hub, cache)));

        String sha = FakeRepo.sha256(model.get("model.safetensors"));
        List<FakeHub.Request> cdn = hub.requests("/cdn/");
        assertEquals(1, cdn.size(), "one GET of the LFS blob");
        assertEquals("/cdn/" + sha, cdn.get(0).path());
        assertEquals("GET", cdn.get(0).method());
        assertEquals(1, hub.requests("/tiny-org/tiny-model/resolve/" + commit + "/model.safetensors").size(),
                "the HEAD's redirect is used, the resolve URL is not asked again");
    }

    @Test
    void followsARelativeRedirectOfARenamedRepository() {
        hub.renamed.put("tiny-org/old-name", REPO);

        Path snap = Hub.snapshot("tiny-org/old-name", "main", options(env(hub, cache)));

        assertEquals(cache.resolve("models--tiny-org--old-name/snapshots/" + commit), snap);
        assertSameBytes(model.get("model.safetensors"), snap.resolve("model.safetensors"));
        assertSameBytes(model.get("config.json"), snap.resolve("config.json"));
        assertFalse(hub.requests("/tiny-org/old-name/resolve/").isEmpty(), "asked under the old name first");
    }

    @Test
    void allowPatternsChooseTheFiles() {
        HubOptions o = HubOptions.builder().environment(env(hub, cache)::get).allowPatterns(List.of("*.bin", "READ*")).build();

        Path snap = Hub.snapshot(REPO, "main", o);

        assertSameBytes(model.get("pytorch_model.bin"), snap.resolve("pytorch_model.bin"));
        assertSameBytes(model.get("README.md"), snap.resolve("README.md"));
        assertFalse(Files.exists(snap.resolve("config.json")));
    }

    @Test
    void noMatchingFileIsOneLineListingWhatThereIs() {
        HubOptions o = HubOptions.builder().environment(env(hub, cache)::get).allowPatterns(List.of("*.gguf")).build();

        HubException e = HubTestSupport.failure(() -> Hub.snapshot(REPO, "main", o));

        assertTrue(e.getMessage().contains("*.gguf") && e.getMessage().contains("model.safetensors"), e.getMessage());
    }

    @Test
    void progressReportsEachFileUpToItsSize() {
        List<long[]> events = new ArrayList<>();
        HubOptions o = HubOptions.builder().environment(env(hub, cache)::get)
                .progress((file, done, total) -> {
                    if (file.equals("model.safetensors")) {
                        synchronized (events) {
                            events.add(new long[] {done, total});
                        }
                    }
                }).build();

        Hub.snapshot(REPO, "main", o);

        long size = model.get("model.safetensors").length;
        assertTrue(events.size() >= 2, "a start and an end at least");
        for (int i = 1; i < events.size(); i++) {
            assertTrue(events.get(i)[0] >= events.get(i - 1)[0], "never goes back");
            assertEquals(size, events.get(i)[1]);
        }
        assertEquals(size, events.get(events.size() - 1)[0]);
    }

    @Test
    void aSecondCallIsServedFromTheCacheAfterOneInfoCall() {
        Hub.snapshot(REPO, "main", options(env(hub, cache)));
        hub.requests.clear();

        Path again = Hub.snapshot(REPO, "main", options(env(hub, cache)));

        assertEquals(1, hub.requests.size(), "only the model-info call: " + hub.requests);
        assertTrue(hub.requests.get(0).path().startsWith("/api/models/"));
        assertSameBytes(model.get("model.safetensors"), again.resolve("model.safetensors"));
    }
}
