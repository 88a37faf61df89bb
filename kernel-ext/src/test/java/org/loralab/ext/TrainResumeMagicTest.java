package org.loralab.ext;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loralab.ext.magic.LabMagics;
import org.loralab.lora.train.TrainingReport;

/** {@code %%train resume: CHECKPOINT} finishes the run a checkpoint came from with the uninterrupted weights. */
class TrainResumeMagicTest extends LabTestBase {
    @TempDir
    Path dir;

    private List<float[]> weights() {
        List<float[]> w = new ArrayList<>();
        for (Pair<String, Parameter> p : Lab.adapted().block().getParameters()) {
            w.add(p.getValue().getArray().toFloatArray());
        }
        return w;
    }

    @Test
    void resumingFromACheckpointGivesTheWeightsOfTheWholeRun() throws Exception {
        LabMagics.lora(List.of("inject", "r=4", "targets=0,2"));
        String body = "steps: 12\nbatch_size: 16\nlr: 0.02\nschedule: cosine\ncheckpoint_every: 5\ncheckpoint_dir: " + dir;
        LabMagics.train(List.of(), body);
        List<float[]> whole = weights();
        TrainingReport r = (TrainingReport) LabMagics.train(List.of(),
                "batch_size: 16\nlr: 0.02\nschedule: cosine\nresume: " + dir.resolve("checkpoint-step-00000005.params"));
        assertEquals(7, r.stepsDone());
        assertSame(r, Lab.lastReport());
        List<float[]> resumed = weights();
        for (int i = 0; i < whole.size(); i++) {
            assertArrayEquals(whole.get(i), resumed.get(i), 0f, "parameter " + i);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabMagics.train(List.of(),
                "steps: 3\nresume: " + dir.resolve("checkpoint-step-00000005.params")));
        assertTrue(e.getMessage().contains("drop steps"), e.getMessage());
    }
}
