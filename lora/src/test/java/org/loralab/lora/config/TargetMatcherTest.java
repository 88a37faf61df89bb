package org.loralab.lora.config;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** PEFT's check_target_module_exists and get_pattern_key rules (spec §1.1). */
class TargetMatcherTest {
    private static final String Q = "vit.encoder.layer.3.attention.attention.query";

    @Test
    void listEntriesMatchExactOrDotSuffixOnly() {
        TargetMatcher m = new TargetMatcher(AdapterConfig.builder().targetModules("query", "attention.value").build());
        assertTrue(m.isTarget(Q, true));
        assertTrue(m.isTarget("query", true));
        assertTrue(m.isTarget("x.attention.value", true));
        assertFalse(m.isTarget("x.query_proj", true), "no substring match");
        assertFalse(m.isTarget("x.subquery", true));
        assertFalse(m.isTarget("x.value", true), "entry 'attention.value' needs that suffix");
    }

    @Test
    void aStringIsAFullMatchRegex() {
        TargetMatcher m = new TargetMatcher(AdapterConfig.builder().targetModulesRegex(".*\\.(query|value)").build());
        assertTrue(m.isTarget(Q, true));
        assertFalse(m.isTarget(Q + ".x", true));
        assertFalse(new TargetMatcher(AdapterConfig.builder().targetModulesRegex("query").build()).isTarget(Q, true),
                "fullmatch, not search");
        assertThrows(IllegalArgumentException.class, () -> TargetModules.regex("(["));
    }

    @Test
    void excludeModulesToSaveAndAllLinear() {
        AdapterConfig c = AdapterConfig.builder().targetModules(TargetModules.ALL_LINEAR).excludeModules("key")
                .modulesToSave("classifier").build();
        TargetMatcher m = new TargetMatcher(c);
        assertTrue(m.isTarget("a.query", true));
        assertFalse(m.isTarget("a.query", false), "all-linear needs a Linear");
        assertFalse(m.isTarget("a.key", true), "excluded");
        assertFalse(m.isTarget("classifier", true), "modules_to_save are never adapted");
        assertFalse(m.isTarget("classifier.dense", true), "nor anything inside them");
        assertTrue(m.isModuleToSaveRoot("model.classifier"));
        TargetMatcher rx = new TargetMatcher(AdapterConfig.builder().targetModulesRegex(".*").excludeModulesRegex(".*\\.key").build());
        assertFalse(rx.isTarget("a.key", true));
        assertTrue(rx.isTarget("a.keys", true));
    }

    @Test
    void layersToTransform() {
        AdapterConfig c = AdapterConfig.builder().targetModules("query").layersToTransform(List.of(0, 3)).build();
        TargetMatcher m = new TargetMatcher(c);
        assertTrue(m.isTarget(Q, true));
        assertFalse(m.isTarget("vit.encoder.layer.4.attention.attention.query", true));
        assertEquals(3, TargetMatcher.layerIndex(Q, "layer"));
        assertEquals(3, TargetMatcher.layerIndex(Q, null));
        assertNull(TargetMatcher.layerIndex("a.b", null));
        AdapterConfig p = AdapterConfig.builder().targetModules("query").layersToTransform(List.of(1)).layersPattern("blocks").build();
        assertTrue(new TargetMatcher(p).isTarget("h.0.blocks.1.query", true));
        assertFalse(new TargetMatcher(p).isTarget("h.1.blocks.0.query", true));
    }

    @Test
    void patternKeysFirstMatchWinsAndScalingIsExact() {
        AdapterConfig c = AdapterConfig.builder().r(16).alpha(3).targetModules("lin0")
                .rankPattern(Map.of("^lin0", 25)).alphaPattern("lin0", 11).alphaPattern(".*0", 99).build();
        assertEquals(25, c.rankFor("lin0"));
        assertEquals(16, c.rankFor("a.lin0"), "'^lin0' cannot match after the '(.*\\.)?' prefix");
        assertEquals(11.0, c.alphaFor("a.lin0"), "first key in insertion order wins");
        assertEquals(99.0, c.alphaFor("conv0"));
        assertEquals(3.0, c.alphaFor("emb"));
        assertEquals(11.0 / 25, c.scalingFor("lin0"));
        assertEquals(3.0 / 16, c.scalingFor("emb"));
        assertEquals(3.0 / Math.sqrt(16), c.toBuilder().useRslora(true).build().scalingFor("emb"));
        assertEquals("lin1", TargetMatcher.patternKey(List.of("lin1", "lin"), "m.lin1"));
        assertNull(TargetMatcher.patternKey(List.of("lin"), "m.lin1"));
    }

    @Test
    void nearestNamesAndUnmatchedEntries() {
        List<String> paths = List.of("", "encoder", "encoder.layer.0.attention.query", "encoder.layer.0.attention.value",
                "encoder.layer.0.output.dense", "classifier");
        assertEquals("encoder.layer.0.attention.query", TargetMatcher.nearest("qeury", paths, 1).get(0));
        assertEquals(List.of("quer"), TargetMatcher.unmatchedEntries(TargetModules.of("quer", "value"), paths));
    }

    @Test
    void configValidationAndInitParsing() {
        assertThrows(IllegalArgumentException.class, () -> AdapterConfig.builder().r(0).build());
        assertThrows(IllegalArgumentException.class, () -> AdapterConfig.builder().dropout(1.0).build());
        assertThrows(IllegalArgumentException.class, () -> AdapterConfig.builder().loraBias(true).init("pissa").build());
        IllegalArgumentException b = assertThrows(IllegalArgumentException.class, () -> Bias.parse("some"));
        assertTrue(b.getMessage().contains("lora_only"));
        AdapterConfig d = AdapterConfig.builder().build();
        assertEquals(8, d.r());
        assertEquals(8.0, d.alpha());
        assertEquals(Bias.NONE, d.bias());
        assertEquals(LoraInit.KAIMING, d.init());
        assertEquals(LoraInit.OLORA, LoraInit.parse("OLoRA"));
        assertEquals(16, LoraInit.parse("pissa_niter_16").niter());
        assertEquals("pissa", LoraInit.parse("pissa_niter_16").family());
        assertEquals(Boolean.FALSE, LoraInit.parse(false).toJsonValue());
        assertEquals("gaussian", LoraInit.parse("gaussian").toJsonValue());
        assertThrows(IllegalArgumentException.class, () -> LoraInit.parse("pissa_niter_x"));
        assertEquals("dora", AdapterConfig.builder().useDora(true).build().variant());
    }
}
