package org.loralab.ext;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loralab.kernel.JShellKernel;
import org.loralab.kernel.JShellKernelBuilder;

/**
 * Runs notebooks/01-quickstart.ipynb cell by cell in our kernel (fast mode, no Jupyter) and checks what it shows:
 * a progress display, a PNG chart and HTML tables. The notebook must be committed without outputs.
 */
class QuickstartNotebookTest {
    static final Path NOTEBOOK = Path.of("../notebooks/01-quickstart.ipynb");
    static JShellKernel kernel;
    static RecordingDisplay display = new RecordingDisplay();

    @BeforeAll
    static void start() {
        System.setProperty("loralab.fast", "true");
        kernel = new JShellKernelBuilder().mavenOffline(true).build();
        kernel.onStartup();
        kernel.addToClasspath(Path.of("target/classes").toAbsolutePath().toString());
        Lab.reset();
        Lab.setDisplay(display);
    }

    @AfterAll
    static void stop() {
        Lab.reset();
        System.clearProperty("loralab.fast");
        kernel.onShutdown(false);
    }

    static JsonObject notebook() throws Exception {
        return JsonParser.parseString(Files.readString(NOTEBOOK)).getAsJsonObject();
    }

    static String source(JsonObject cell) {
        JsonElement s = cell.get("source");
        if (s.isJsonArray()) {
            StringBuilder b = new StringBuilder();
            s.getAsJsonArray().forEach(e -> b.append(e.getAsString()));
            return b.toString();
        }
        return s.getAsString();
    }

    @Test
    void isCommittedWithoutOutputsForTheLoralabKernel() throws Exception {
        JsonObject nb = notebook();
        JsonObject spec = nb.getAsJsonObject("metadata").getAsJsonObject("kernelspec");
        assertEquals("loralab", spec.get("name").getAsString());
        assertEquals("java", spec.get("language").getAsString());
        for (JsonElement c : nb.getAsJsonArray("cells")) {
            JsonObject cell = c.getAsJsonObject();
            if (cell.get("cell_type").getAsString().equals("code")) {
                assertEquals(0, cell.getAsJsonArray("outputs").size());
                assertTrue(cell.get("execution_count").isJsonNull());
            }
        }
    }

    @Test
    void runsEndToEndAndShowsProgressChartAndTables() throws Exception {
        List<DisplayData> results = new ArrayList<>();
        JsonArray cells = notebook().getAsJsonArray("cells");
        for (JsonElement c : cells) {
            JsonObject cell = c.getAsJsonObject();
            if (!cell.get("cell_type").getAsString().equals("code")) {
                continue;
            }
            String src = source(cell);
            try {
                DisplayData d = kernel.eval(src);
                if (d != null) {
                    results.add(d);
                }
            } catch (Exception e) {
                fail("cell failed:\n" + src + "\n" + e + (e.getCause() == null ? "" : "\ncause: " + e.getCause()));
            }
        }
        String bar = String.valueOf(display.last("d" + firstShow("text/html", "<progress")));
        assertTrue(bar.contains("<progress value=\"20\" max=\"20\""), bar); // fast mode: 20 steps
        assertTrue(bar.contains("done: completed"), bar);
        assertTrue(display.count("show", "image/png") >= 3, "live chart, spectrum, sweep chart");
        assertTrue(display.events.stream().anyMatch(e -> e.mime().equals("text/html")
                && String.valueOf(e.value()).contains("<td>lin0</td>")), "the adapted-model table");
        assertTrue(display.events.stream().anyMatch(e -> e.mime().equals("text/html")
                && String.valueOf(e.value()).contains("final_accuracy")), "the sweep table");
        assertTrue(results.stream().anyMatch(d -> String.valueOf(d.getData(MIMEType.TEXT_HTML))
                .contains("data:image/png;base64,")), "Lab.lastReport() renders table + chart");
        assertNotNull(Lab.lastSweep());
        assertEquals(3, Lab.lastSweep().rowCount());
        assertTrue(Lab.adapted().isMerged());
    }

    private static int firstShow(String mime, String containing) {
        for (RecordingDisplay.Event e : display.events) {
            if (e.kind().equals("show") && e.mime().equals(mime) && String.valueOf(e.value()).contains(containing)) {
                return Integer.parseInt(e.id().substring(1));
            }
        }
        fail("no " + mime + " display containing " + containing);
        return -1;
    }
}
