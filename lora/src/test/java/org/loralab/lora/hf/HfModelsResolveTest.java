package org.loralab.lora.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Which strings HfModels.load(String) takes for a local directory and which for a Hub id. */
class HfModelsResolveTest {
    @Test
    void hubIdsHaveOneSlashAndDoNotStartLikeAPath() {
        for (String id : new String[] {"google/vit-base-patch16-224", "gpt2", "org/name@v1.0", "org/name@refs/pr/1"}) {
            assertTrue(HfModels.looksLikeHubId(id), id);
        }
        for (String path : new String[] {"/no/such/dir", "./model", "../model", "~/model", "a/b/c", "/x"}) {
            assertFalse(HfModels.looksLikeHubId(path), path);
        }
    }

    @Test
    void aMissingPathIsOneLineAndNoDownload() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HfModels.load("/no/such/dir"));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().contains("/no/such/dir is not a directory"), e.getMessage());
        assertEquals(Path.of("/no/such/dir"), HfModels.resolve("/no/such/dir"));
    }
}
