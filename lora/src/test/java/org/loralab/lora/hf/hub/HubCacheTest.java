package org.loralab.lora.hf.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.loralab.lora.hf.hub.HubTestSupport.REPO;
import static org.loralab.lora.hf.hub.HubTestSupport.assertSameBytes;
import static org.loralab.lora.hf.hub.HubTestSupport.env;
import static org.loralab.lora.hf.hub.HubTestSupport.failure;
import static org.loralab.lora.hf.hub.HubTestSupport.options;
import static org.loralab.lora.hf.hub.HubTestSupport.repoFolder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cache: offline use, a cache written by huggingface_hub, a branch that moves to a new commit. */
class HubCacheTest extends FakeHubTest {
    HubCacheTest() {
        super(3, 20_000);
    }

    @Test
    void offlineAndCachedMakesNoRequest() {
        Path online = Hub.snapshot(REPO, "main", options(env(hub, cache)));
        hub.requests.clear();
        Map<String, String> env = env(hub, cache);
        env.put("HF_HUB_OFFLINE", "1");

        assertEquals(online, Hub.snapshot(REPO, "main", options(env)));
        assertEquals(online, Hub.snapshot(REPO, commit, options(env)), "a commit needs no ref");
        assertEquals(0, hub.requests.size(), "offline: no request at all");
    }

    @Test
    void offlineAndNotCachedIsOneLineNamingTheRepoAndHfHubOffline() {
        Map<String, String> env = env(hub, cache);
        env.put("HF_HUB_OFFLINE", "true");

        HubException e = failure(() -> Hub.snapshot(REPO, "main", options(env)));

        assertTrue(e.getMessage().contains(REPO) && e.getMessage().contains("HF_HUB_OFFLINE"), e.getMessage());
        assertEquals(0, hub.requests.size());
    }

    @Test
    void aCacheLaidOutByPythonIsReusedWithoutDownloading() throws Exception {
        Path repo = repoFolder(cache);
        Map<String, Path> blobs = new LinkedHashMap<>();
        for (String f : List.of("config.json", "tokenizer.json", "model.safetensors")) {
            Path blob = repo.resolve("blobs").resolve(FakeRepo.etag(f, model.get(f)));
            Files.createDirectories(blob.getParent());
            Files.write(blob, model.get(f));
            Files.setLastModifiedTime(blob, FileTime.fromMillis(1_000_000_000_000L));
            Path link = repo.resolve("snapshots").resolve(commit).resolve(f);
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, Path.of("../../blobs").resolve(blob.getFileName()));
            blobs.put(f, blob);
        }
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), commit);

        Path snap = Hub.snapshot(REPO, "main", options(env(hub, cache)));

        assertEquals(repo.resolve("snapshots").resolve(commit), snap);
        assertEquals(1, hub.requests.size(), "only the model-info call, no file request: " + hub.requests);
        for (Map.Entry<String, Path> e : blobs.entrySet()) {
            assertSameBytes(model.get(e.getKey()), snap.resolve(e.getKey()));
            assertEquals(1_000_000_000_000L, Files.getLastModifiedTime(e.getValue()).toMillis(), "blob untouched");
        }
        hub.requests.clear();
        Map<String, String> env = env(hub, cache);
        env.put("HF_HUB_OFFLINE", "1");
        assertEquals(snap, Hub.snapshot(REPO, "main", options(env)));
        assertEquals(0, hub.requests.size());
    }

    @Test
    void refsMainMovesToTheNewCommitAndUnchangedBlobsAreNotFetchedAgain() throws Exception {
        Path first = Hub.snapshot(REPO, "main", options(env(hub, cache)));
        Map<String, byte[]> next = new LinkedHashMap<>(model);
        next.put("model.safetensors", FakeRepo.tinyModel(4, 20_000).get("model.safetensors"));
        String newCommit = hub.repo(REPO).commit("main", next);
        hub.requests.clear();

        Path second = Hub.snapshot(REPO, "main", options(env(hub, cache)));

        assertEquals(repoFolder(cache).resolve("snapshots").resolve(newCommit), second);
        assertEquals(newCommit, Files.readString(repoFolder(cache).resolve("refs/main")));
        assertSameBytes(next.get("model.safetensors"), second.resolve("model.safetensors"));
        assertSameBytes(model.get("model.safetensors"), first.resolve("model.safetensors"));
        assertEquals(1, hub.requests("/cdn/").size(), "only the changed LFS file travels");
        assertTrue(hub.requests.stream().noneMatch(r -> r.method().equals("GET") && r.path().contains("/resolve/")),
                "config.json and tokenizer.json are found by ETag in blobs/: " + hub.requests);
        Map<String, String> env = env(hub, cache);
        env.put("HF_HUB_OFFLINE", "1");
        assertEquals(second, Hub.snapshot(REPO, "main", options(env)), "offline follows the updated ref");
    }
}
