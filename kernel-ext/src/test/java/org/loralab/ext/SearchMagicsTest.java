package org.loralab.ext;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.loralab.ext.magic.LabMagics;
import org.loralab.lora.models.Mlp;
import org.loralab.lora.search.SearchResult;
import tech.tablesaw.api.Table;

/** %search and %sweep: results, live progress, variant options, one-line errors that change nothing. */
class SearchMagicsTest {
    private RecordingDisplay display;
    private final AtomicInteger opened = new AtomicInteger();
    private final List<Model> models = new ArrayList<>();

    /** A seeded Mlp 16 -> 16 -> 16 -> 4 (lin0, lin1, lin2). */
    private Model base() {
        Engine.getInstance().setRandomSeed(3);
        Model model = Model.newInstance("search-magic");
        Mlp mlp = Mlp.builder().addHidden(16).addHidden(16).setOutputs(4).build();
        model.setBlock(mlp);
        mlp.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 16));
        opened.incrementAndGet();
        synchronized (models) {
            models.add(model);
        }
        return model;
    }

    @BeforeEach
    void setUp() {
        Lab.reset();
        display = new RecordingDisplay();
        Lab.setDisplay(display);
        Lab.syntheticData(64, 32, 16, 4, 3);
        Lab.baseModel(this::base);
    }

    @AfterEach
    void tearDown() {
        Lab.reset();
        models.forEach(Model::close); // closing twice is harmless; the search closed the eliminated ones
    }

    private String progressHtml() {
        for (RecordingDisplay.Event e : display.events) {
            if (e.kind().equals("show") && String.valueOf(e.value()).contains("<progress")) {
                return String.valueOf(display.last(e.id()));
            }
        }
        fail("no progress display");
        return null;
    }

    @Test
    void searchShowsLiveProgressThenTableChartAndChoice() {
        LabMagics.search(List.of("ranks=2,4", "alphas=4,8", "lrs=0.01,0.05", "trials=4", "eta=2", "min_steps=3",
                "batch_size=16", "targets=lin0,lin1"));
        SearchResult r = Lab.lastSearch();
        assertNotNull(r);
        assertEquals("successive halving", r.scheme());
        assertEquals(4 + 2 + 1, r.trials().rowCount());
        assertEquals(4 * 3 + 2 * 3 + 6, r.totalSteps(), "promoted trials continue: 4x3 + 2x(6-3) + 1x(12-6)");
        assertEquals(4, opened.get(), "one base per trial, not per rung");
        String bar = progressHtml();
        assertTrue(bar.contains("<progress value=\"24\" max=\"24\""), bar);
        assertTrue(bar.contains("done: successive halving chose #" + r.chosen().id()), bar);
        assertTrue(bar.contains("best so far: #"), bar);
        long progressEvents = display.events.stream().filter(e -> String.valueOf(e.value()).contains("<progress"))
                .count();
        assertTrue(progressEvents >= 7 + 1, "a draw per trial start and the finish: " + progressEvents);
        assertTrue(display.events.stream().anyMatch(e -> String.valueOf(e.value()).contains("rung 2/3, trial 1 of 2")),
                "the rung and trial in progress are shown");
        assertEquals(1, display.count("show", "image/png"), "the search chart");
        assertTrue(display.events.stream().anyMatch(e -> e.mime().equals("text/html")
                && String.valueOf(e.value()).contains("<th>promoted</th>")), "the trial table");
    }

    @Test
    void hyperbandAndRetrainThroughTheMagic() {
        LabMagics.search(List.of("scheme=hyperband", "min_steps=2", "max_steps=8", "eta=2", "ranks=2,4",
                "alphas=8", "lrs=0.02", "batch_size=16", "targets=lin0", "retrain=true", "sample_seed=4"));
        SearchResult r = Lab.lastSearch();
        assertEquals("hyperband", r.scheme());
        // R = 4, eta 2: brackets of 4 (@2,4,8), 3 (@4,8), 3 (@8) trials; the 2-config grid caps each at 2
        assertEquals(List.of(2, 2, 2), r.brackets().stream().map(b -> b.trials()).toList());
        assertFalse(r.continued());
        long expected = 0;
        for (var b : r.brackets()) {
            expected += b.cost(false);
        }
        assertEquals(expected, r.totalSteps());
        assertEquals(8, r.chosenSteps());
    }

    @Test
    void badSearchOptionsGiveOneLineErrorsAndChangeNothing() {
        assertEquals("%search: unknown option 'rnaks' (did you mean 'ranks'?)", assertThrows(
                IllegalArgumentException.class, () -> LabMagics.search(List.of("rnaks=2,4"))).getMessage());
        assertEquals("%search: 'r' is what the search chooses or plans; give ranks=2,4,8 instead", assertThrows(
                IllegalArgumentException.class, () -> LabMagics.search(List.of("r=4"))).getMessage());
        assertEquals("%search: 'steps' is what the search chooses or plans; give min_steps=10 (and max_steps=...) "
                + "instead", assertThrows(IllegalArgumentException.class,
                () -> LabMagics.search(List.of("steps=40"))).getMessage());
        String e = assertThrows(IllegalArgumentException.class,
                () -> LabMagics.search(List.of("variant=lora", "projection_prng_key=0"))).getMessage();
        assertTrue(e.startsWith("%search: unknown option 'projection_prng_key' for variant 'lora'"), e);
        assertFalse(e.contains("\n"), e);
        assertEquals("%search: unknown scheme 'bohb'; use scheme=sh (successive halving) or scheme=hyperband",
                assertThrows(IllegalArgumentException.class, () -> LabMagics.search(List.of("scheme=bohb")))
                        .getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> LabMagics.search(List.of("scheme=hyperband", "trials=9"))).getMessage()
                .contains("drop trials="));
        assertEquals("eta must be >= 2 (2 keeps the better half, 3 the best third), got 1", assertThrows(
                IllegalArgumentException.class, () -> LabMagics.search(List.of("eta=1"))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> LabMagics.search(List.of("min_steps=10", "max_steps=5"))).getMessage()
                .startsWith("maxSteps must be >= minSteps (10)"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> LabMagics.search(List.of("lrs=1e-3", "lr_range=1e-4,1e-2"))).getMessage().contains("not both"));
        assertNull(Lab.lastSearch());
        assertTrue(display.events.isEmpty());
        assertEquals(0, opened.get(), "no model was built");
    }

    @Test
    void variantOptionsReachTheSearchTemplate() {
        var call = org.loralab.ext.magic.LabMagicsTestAccess.searchTemplate(List.of("variant=vera", "projection_prng_key=5", "targets=lin0",
                "rslora=true"));
        assertEquals("vera", call.variant());
        assertEquals(5L, call.options().get("projection_prng_key"));
        assertTrue(call.useRslora());
    }

    @Test
    void sweepTakesVariantOptionsAndShowsProgress() {
        var template = org.loralab.ext.magic.LabMagicsTestAccess.sweepTemplate(List.of("variant=vera", "projection_prng_key=7",
                "ranks=2", "targets=lin0,lin1", "bias=none"));
        assertEquals("vera", template.variant());
        assertEquals(7L, template.options().get("projection_prng_key"));
        String e = assertThrows(IllegalArgumentException.class, () -> LabMagics.sweep(List.of("variants=lora,vera",
                "projection_prng_key=7"))).getMessage();
        assertTrue(e.startsWith("%sweep: unknown option 'projection_prng_key' for variant 'lora'"), e);
        assertEquals("%sweep: give variant=NAME or variants=A,B, not both", assertThrows(
                IllegalArgumentException.class, () -> LabMagics.sweep(List.of("variant=lora", "variants=dora")))
                .getMessage());
        assertTrue(display.events.isEmpty());

        LabMagics.sweep(List.of("variant=lora", "ranks=2,4", "alphas=8", "lrs=0.02", "targets=lin0,lin1",
                "steps=3", "batch_size=16", "rslora=true"));
        Table t = Lab.lastSweep();
        assertEquals(2, t.rowCount());
        String bar = progressHtml();
        assertTrue(bar.contains("<progress value=\"6\" max=\"6\""), bar);
        assertTrue(bar.contains("point 2 of 2: lora r=4 alpha=8"), bar);
        assertTrue(bar.contains("done: 2 points"), bar);
        assertTrue(bar.contains("best so far: lora r="), bar);
    }
}
