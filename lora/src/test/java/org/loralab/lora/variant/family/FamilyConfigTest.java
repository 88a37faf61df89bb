package org.loralab.lora.variant.family;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.io.AdapterConfigJson;
import org.loralab.lora.variant.VariantRegistry;
import org.loralab.lora.variant.adalora.AdaLora;
import org.loralab.lora.variant.adalora.AdaLoraOptions;

/** AdaLoRA, DyLoRA and SoRA are found through the services file and their configs round-trip through JSON. */
class FamilyConfigTest {
    @Test
    void registeredUnderTheirNamesAndPeftTypes() {
        assertEquals("ADALORA", VariantRegistry.get("adalora").peftType());
        assertEquals("DYLORA", VariantRegistry.get("dylora").peftType());
        assertEquals("SORA", VariantRegistry.get("sora").peftType());
        assertEquals("adalora", VariantRegistry.forConfig(Map.of("peft_type", "ADALORA")).name());
    }

    @Test
    void adaLoraConfigRoundTripsWithRankPattern() {
        AdapterConfig c = AdaLora.config(500).alpha(16).targetModules("query", "value").option("init_r", 3)
                .option("target_r", 1).option("tinit", 10).option("tfinal", 20).option("deltaT", 5)
                .option("rank_pattern", Map.of("enc.query.lora_E", List.of(true, false, true))).build();
        AdapterConfig back = AdapterConfigJson.fromJson(AdapterConfigJson.toJson(c));
        AdaLoraOptions o = AdaLoraOptions.of(back);
        assertEquals("adalora", back.variant());
        assertEquals(500, o.totalStep());
        assertEquals(3, o.initR());
        assertEquals(1, o.targetR());
        assertEquals(10, o.tinit());
        assertEquals(20, o.tfinal());
        assertEquals(5, o.deltaT());
        assertArrayEquals(new boolean[] {true, false, true}, o.rankPattern().get("enc.query.lora_E"));
        assertEquals(16, back.alpha());
    }

    @Test
    void dyLoraAndSoraConfigsRoundTrip() {
        AdapterConfig d = AdapterConfig.builder().variant("dylora").r(8).alpha(16).targetModules("q")
                .option("frozen", false).build();
        AdapterConfig dBack = AdapterConfigJson.fromJson(AdapterConfigJson.toJson(d));
        assertEquals("dylora", dBack.variant());
        assertFalse(dBack.optionBoolean("frozen", true));
        assertEquals(8, dBack.r());
        AdapterConfig s = AdapterConfig.builder().variant("sora").r(8).targetModules("q").option("sparse_lambda_2", 3e-4)
                .option("threshold_rule", "reference").build();
        AdapterConfig sBack = AdapterConfigJson.fromJson(AdapterConfigJson.toJson(s));
        assertEquals("sora", sBack.variant());
        assertEquals(3e-4, sBack.optionDouble("sparse_lambda_2", 0), 0.0);
        assertEquals("reference", sBack.options().get("threshold_rule"));
    }
}
