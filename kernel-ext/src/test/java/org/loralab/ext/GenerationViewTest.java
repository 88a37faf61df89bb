package org.loralab.ext;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.loralab.ext.live.GenerationView;
import org.loralab.ext.live.Throttle;

class GenerationViewTest {

    @Test
    void oneDisplayUpdatedInPlaceThrottledAndFinishedWithStatus() {
        RecordingDisplay d = new RecordingDisplay();
        long[] now = {0};
        GenerationView v = new GenerationView(d, System.out, "Q: <hi>", new Throttle(0.1, () -> now[0]));
        v.update("A");
        v.update("AB"); // within the interval: skipped
        now[0] += 200_000_000L;
        v.update("ABC");
        v.finish("ABCD", "4 tokens, 10.0 tokens/s, stop");
        assertEquals(1, d.count("show", "text/html"));
        assertEquals(2, d.count("update", "text/html"));
        String last = String.valueOf(d.last("d0"));
        assertTrue(last.contains("Q: &lt;hi&gt;</span>ABCD"), last);
        assertTrue(last.contains("4 tokens, 10.0 tokens/s, stop"), last);
        assertFalse(last.contains("\u258c"), "the cursor goes at the end");
        assertEquals(3, v.updates());
    }

    @Test
    void withoutADisplayTheNewTextStreamsToStdout() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        GenerationView v = new GenerationView(null, out, "Q ", new Throttle(0.1));
        v.update("a");
        v.update("ab");
        v.finish("abc", "3 tokens");
        assertEquals("Q abc\n[3 tokens]\n", bytes.toString(StandardCharsets.UTF_8).replace("\r", ""));
    }
}
