package org.loralab.ext;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * notebooks/08-search.ipynb is committed as the other notebooks are (loralab kernel, no outputs, prose between code
 * cells) and teaches through the public calls; running it is `LORALAB_FAST=1 ./loralab run notebooks/08-search.ipynb`.
 */
class SearchNotebookTest {
    static final Path NOTEBOOK = Path.of("../notebooks/08-search.ipynb");

    @Test
    void isCommittedWithoutOutputsWithProseAndThePublicCalls() throws Exception {
        JsonObject nb = JsonParser.parseString(Files.readString(NOTEBOOK)).getAsJsonObject();
        assertEquals("loralab", nb.getAsJsonObject("metadata").getAsJsonObject("kernelspec").get("name").getAsString());
        StringBuilder code = new StringBuilder();
        int markdown = 0;
        for (JsonElement c : nb.getAsJsonArray("cells")) {
            JsonObject cell = c.getAsJsonObject();
            if (cell.get("cell_type").getAsString().equals("code")) {
                assertEquals(0, cell.getAsJsonArray("outputs").size());
                assertTrue(cell.get("execution_count").isJsonNull());
                code.append(QuickstartNotebookTest.source(cell)).append('\n');
            } else {
                markdown++;
            }
        }
        assertTrue(markdown >= 6, "prose between the steps: " + markdown);
        for (String call : new String[] {"SearchSpace.of(", "new SuccessiveHalving(", "Lab.search(", "new Hyperband(",
                "Charts.search(", "FastMode.enabled()", "PretrainedBase::loadOrBuild"}) {
            assertTrue(code.toString().contains(call), call);
        }
    }
}
