package org.loralab.ext;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.loralab.ext.magic.LabMagics;
import org.loralab.ext.magic.VariantHelp;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.models.Mlp;
import org.loralab.lora.variant.VariantRegistry;
import tech.tablesaw.api.Table;

class VariantMagicsTest {
    /** One of each variant's own options (lora and dora have none of their own: common ones instead). */
    private static final Map<String, List<String>> ONE_OPTION = Map.ofEntries(
            Map.entry("lora", List.of("rslora=true")),
            Map.entry("dora", List.of("dropout=0.1")),
            Map.entry("vera", List.of("projection_prng_key=0")),
            Map.entry("adalora", List.of("init_r=12", "target_r=4", "total_step=200")),
            Map.entry("dylora", List.of("frozen=false")),
            Map.entry("sora", List.of("sparse_lambda=0.01")),
            Map.entry("loha", List.of("module_dropout=0.0")),
            Map.entry("lokr", List.of("decompose_both=true")),
            Map.entry("mora", List.of("mora_type=1")),
            Map.entry("moe", List.of("top_k=2")),
            Map.entry("lotr", List.of("scale=2.0")),
            Map.entry("qlora", List.of("quantization=nf4")));

    private RecordingDisplay display;
    private final List<Model> models = new ArrayList<>();

    @BeforeEach
    void setUp() {
        Lab.reset();
        display = new RecordingDisplay();
        Lab.setDisplay(display);
        freshBase();
    }

    /** A new Mlp 16 -> 16 -> 16 -> 4 (lin0, lin1 are 16x16) as the current model. */
    private void freshBase() {
        Model model = Model.newInstance("variants");
        Mlp mlp = Mlp.builder().addHidden(16).addHidden(16).setOutputs(4).build();
        model.setBlock(mlp);
        mlp.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 16));
        models.add(model);
        Lab.reset();
        Lab.setDisplay(display);
        Lab.use(model);
    }

    @AfterEach
    void tearDown() {
        Lab.reset();
        models.forEach(Model::close);
    }

    @Test
    void helpAndTheVariantsTableListEveryRegisteredVariant() {
        LabMagics.lab(List.of("help"));
        String help = Lab.stripTags(String.valueOf(display.events.get(0).value()));
        Table t = VariantHelp.variantsTable();
        assertEquals(VariantRegistry.names(), t.stringColumn("variant").asList());
        for (String v : VariantRegistry.names()) {
            assertTrue(help.contains(v), v);
            assertFalse(VariantHelp.description(v).isEmpty(), "no description for " + v);
        }
        for (String s : List.of("loraplus_ratio", "lora_fa: true", "FitOptions.defaults().loraFa()",
                "init_r=12", "projection_prng_key=0", "quantization=nf4-dq", "decompose_both=false", "frozen=true")) {
            assertTrue(help.contains(s), s);
        }
        LabMagics.lab(List.of("variants"));
        String html = String.valueOf(display.events.get(1).value());
        assertTrue(html.contains("<table"), html);
        assertTrue(html.contains("peft_type") && html.contains("ADALORA") && html.contains("conv2d"), html);
    }

    @Test
    void familyRowsListTheirLayerKindsAndTheGateSchedule() {
        Table t = VariantHelp.variantsTable();
        java.util.Map<String, Integer> row = new java.util.HashMap<>();
        for (int i = 0; i < t.rowCount(); i++) {
            row.put(t.stringColumn("variant").get(i), i);
        }
        assertEquals("conv2d, embedding, linear", t.stringColumn("layer_kinds").get(row.get("dylora")));
        assertEquals("conv2d, embedding, linear", t.stringColumn("layer_kinds").get(row.get("sora")));
        assertEquals("conv1d, conv2d, conv3d, embedding, linear", t.stringColumn("layer_kinds").get(row.get("adalora")));
        String sora = t.stringColumn("options").get(row.get("sora"));
        assertTrue(sora.contains("sparse_lr_schedule=trainer") && sora.contains("lambda_schedule=linear"), sora);
    }

    @Test
    void everyVariantInjectsThroughTheMagicWithOneOfItsOptions() throws Exception {
        List<String> failures = new ArrayList<>();
        for (String v : VariantRegistry.names()) {
            freshBase();
            List<String> words = new ArrayList<>(List.of("inject", "variant=" + v, "targets=lin0,lin1", "r=4",
                    "alpha=8"));
            words.addAll(ONE_OPTION.getOrDefault(v, List.of()));
            int before = display.events.size();
            try {
                LabMagics.lora(words);
            } catch (RuntimeException e) {
                failures.add(v + ": " + e.getMessage());
                continue;
            }
            AdaptedModel m = Lab.adapted();
            assertEquals(2, m.layers().size(), v);
            assertTrue(m.layers().stream().allMatch(l -> l.variant().equals(v)), v);
            assertTrue(m.trainableParameters() > 0 && m.trainableParameters() < m.allParameters(), v);
            String shown = String.valueOf(display.events.get(before).value());
            assertTrue(shown.contains("trainable params: "), v + ": " + shown);
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void loraInjectCountsExactlyAndTypesTheOptions() throws Exception {
        LabMagics.lora(List.of("inject", "targets=lin0,lin1", "r=4", "alpha=8"));
        assertEquals(2 * 4 * (16 + 16), Lab.adapted().trainableParameters()); // A [4,16] + B [16,4] per layer
        freshBase();
        LabMagics.lora(List.of("inject", "variant=dylora", "targets=lin0", "r=4", "frozen=false"));
        assertEquals(Boolean.FALSE, Lab.adapted().config("default").options().get("frozen"));
        freshBase();
        LabMagics.lora(List.of("inject", "variant=adalora", "targets=lin0", "init_r=6", "target_r=2",
                "total_step=200", "beta1=0.9"));
        Map<String, Object> o = Lab.adapted().config("default").options();
        assertEquals(6L, o.get("init_r"));
        assertEquals(200L, o.get("total_step"));
        assertEquals(0.9, o.get("beta1"));
    }

    @Test
    void aBadVariantOptionKeepsThePreviousModel() throws Exception {
        Object before = Lab.current();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabMagics.lora(
                List.of("inject", "variant=adalora", "targets=lin0", "init_rr=12", "total_step=10")));
        assertTrue(e.getMessage().startsWith(
                "%lora: unknown option 'init_rr' for variant 'adalora' (did you mean 'init_r'?)"), e.getMessage());
        assertTrue(e.getMessage().contains("target_r=8"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LabMagics.lora(
                List.of("inject", "variant=vera", "targets=lin0", "decompose_both=true")));
        assertTrue(e.getMessage().startsWith("%lora: unknown option 'decompose_both' for variant 'vera'"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LabMagics.lora(
                List.of("inject", "variant=dylora", "targets=lin0", "frozen=maybe")));
        assertEquals("%lora: option 'frozen' takes a boolean (default true), got 'maybe'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LabMagics.lora(
                List.of("inject", "variant=adalorra", "targets=lin0")));
        assertTrue(e.getMessage().startsWith("%lora: unknown variant 'adalorra' (did you mean 'adalora'?)"),
                e.getMessage());
        assertSame(before, Lab.current());
        assertTrue(display.events.isEmpty());
    }

    @Test
    void trainAcceptsLoraPlusAndLoraFa() throws Exception {
        LabMagics.lora(List.of("inject", "targets=lin0,lin1", "r=4"));
        Lab.syntheticData(64, 32, 16, 4, 3);
        LabMagics.train(List.of(), "steps: 2\nbatch_size: 16\nloraplus_ratio: 16");
        assertEquals(2, Lab.lastReport().stepsDone());
        LabMagics.train(List.of(), "steps: 2\nbatch_size: 16\nlora_fa: true");
        assertEquals(2, Lab.lastReport().stepsDone());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LabMagics.train(List.of(), "steps: 2\nlora_fa: true\nloraplus_ratio: 16"));
        assertEquals("%%train: choose loraplus_ratio or lora_fa, not both", e.getMessage());
    }
}
