package org.loralab.ext;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import java.util.List;
import java.util.Set;
import org.dflib.jjava.jupyter.kernel.magic.MagicsRegistry;
import org.junit.jupiter.api.Test;
import org.loralab.ext.magic.LabMagics;
import org.loralab.ext.magic.MagicHelp;
import org.loralab.lora.train.StopReason;
import org.loralab.lora.train.TrainingReport;

class MagicsTest extends LabTestBase {

    static Model mlp() {
        Model m = Model.newInstance("magics");
        SequentialBlock b = new SequentialBlock().add(Linear.builder().setUnits(16).build()).add(Activation::relu)
                .add(Linear.builder().setUnits(3).build());
        m.setBlock(b);
        b.initialize(m.getNDManager(), DataType.FLOAT32, new Shape(1, 6));
        return m;
    }

    @Test
    void trainCellShowsProgressChartAndTableAndKeepsTheReport() {
        Object value = LabMagics.train(List.of(),
                "epochs: 3\nbatch_size: 16\nlr: 0.05\n# a comment\nschedule: cosine\nwarmup: 2");
        TrainingReport r = Lab.lastReport();
        assertNotNull(r);
        assertSame(r, value, "the report is the cell's value (it renders with the epoch table)");
        assertEquals(StopReason.COMPLETED, r.stopReason());
        assertEquals(18, r.stepsDone());
        assertEquals(1, display.count("show", "image/png"));
        assertEquals(1, display.count("show", "text/html")); // the progress bar; the table comes with the value
        String bar = String.valueOf(display.last("d0"));
        assertTrue(bar.contains("<progress value=\"18\" max=\"18\""), bar);
        assertTrue(r.finalAccuracy() > 0.6, "accuracy " + r.finalAccuracy()); // chance is 1/3
    }

    @Test
    void aBadOptionChangesNothing() throws Exception {
        Object before = Lab.current();
        float[] w = model.getBlock().getParameters().get(0).getValue().getArray().toFloatArray();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LabMagics.train(List.of(), "lr: 0.01\nepochz: 2"));
        assertEquals("%%train: unknown option 'epochz' (did you mean 'epochs'?)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LabMagics.lora(List.of("inject", "rnk=8", "targets=fc1")));
        assertEquals("%lora: unknown option 'rnk' (did you mean 'r'?)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LabMagics.lora(List.of("mrege")));
        assertTrue(e.getMessage().contains("did you mean 'merge'"), e.getMessage());
        assertSame(before, Lab.current());
        assertNull(Lab.lastReport());
        assertArrayEquals(w, model.getBlock().getParameters().get(0).getValue().getArray().toFloatArray(), 0f);
        assertTrue(display.events.isEmpty());
        IllegalStateException s = assertThrows(IllegalStateException.class,
                () -> LabMagics.lora(List.of("summary")));
        assertTrue(s.getMessage().startsWith("no adapted model"));
    }

    @Test
    void helpListsEveryMagicWithItsJavaCall() {
        LabMagics.lab(List.of("help"));
        String html = String.valueOf(display.events.get(0).value());
        String text = Lab.stripTags(html);
        for (MagicHelp h : LabMagics.HELP) {
            assertTrue(text.contains(h.javaCall()), h.magic() + ": " + h.javaCall());
        }
        for (String m : List.of("%lora inject", "%%train", "%device", "%spectrum", "%sweep", "%search", "%lab")) {
            assertTrue(text.contains(m), m);
        }
        assertTrue(text.contains("Lab.use(model)"));
        assertTrue(text.contains("Lab.search(new SuccessiveHalving(trials, eta, minSteps, seed)"), text);
    }

    @Test
    void registryGetsEveryMagicAndEvaluatesThem() throws Exception {
        MagicsRegistry reg = new MagicsRegistry();
        LabExtension.registerMagics(reg);
        assertEquals(Set.of("lora", "device", "spectrum", "sweep", "search", "lab", "model", "generate"),
                reg.getLineMagicNames());
        assertEquals(Set.of("train", "generate"), reg.getCellMagicNames());
        reg.evalLineMagic(null, "device", List.of("cpu"));
        assertTrue(String.valueOf(display.events.get(0).value()).contains("training on: cpu()"));
        reg.evalCellMagic(null, "train", List.of(), "steps: 2\nbatch_size: 8");
        assertEquals(2, Lab.lastReport().stepsDone());
    }
}
