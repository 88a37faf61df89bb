package org.loralab.lora.io;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.loralab.lora.config.AdapterConfig;

/** adapter_config.json values are checked by type and range, with the file and key in one line. */
class AdapterConfigJsonTest {
    private static IllegalArgumentException refused(String json) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdapterConfigJson.fromJson(json, "/d/adapter_config.json"));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().startsWith("/d/adapter_config.json: "), e.getMessage());
        return e;
    }

    @Test
    void messagesNameKeyExpectationAndValue() {
        assertEquals("/d/adapter_config.json: key 'r' must be a positive integer, got 4.7",
                refused("{\"r\": 4.7, \"target_modules\": [\"q\"]}").getMessage());
        assertEquals("/d/adapter_config.json: key 'r' must be a positive integer, got \"4\"",
                refused("{\"r\": \"4\"}").getMessage());
        assertEquals("/d/adapter_config.json: key 'lora_alpha' must be a finite number >= 0, got NaN", refused("{\"lora_alpha\": NaN}").getMessage());
        assertTrue(refused("{\"lora_alpha\": 1e400}").getMessage().contains("got Infinity"));
        assertTrue(refused("{\"use_dora\": \"yes\"}").getMessage().contains("key 'use_dora' must be true or false"));
        assertTrue(refused("{\"init_lora_weights\": \"bogus\"}").getMessage().contains("one of gaussian, eva, olora"));
        assertTrue(refused("{\"peft_type\": \"LOHA\", \"init_weights\": \"yes\"}").getMessage().contains("key 'init_weights'"));
        assertTrue(refused("{\"peft_type\": \"ADALORA\", \"rank_pattern\": {\"q\": 3}}").getMessage()
                .contains("key 'rank_pattern.q' must be a list of booleans"));
        assertTrue(refused("[]").getMessage().contains("must be a JSON object"));
        assertTrue(refused("{\"r\": 4} trailing").getMessage().contains("not valid JSON"));
        assertTrue(refused("{\"peft_type\": \"PREFIX_TUNING\"}").getMessage().contains("no adapter variant reads"));
    }

    @Test
    void variantOptionsGetTheTypeOfTheirDefault() {
        assertTrue(refused("{\"peft_type\": \"VERA\", \"d_initial\": NaN}").getMessage().contains("key 'd_initial' must be a finite number"));
        assertTrue(refused("{\"peft_type\": \"LOKR\", \"decompose_both\": \"yes\"}").getMessage()
                .contains("key 'decompose_both' must be true or false, got \"yes\""));
        assertTrue(refused("{\"peft_type\": \"LOHA\", \"rank_dropout\": \"x\"}").getMessage().contains("key 'rank_dropout'"));
        assertEquals("lokr", AdapterConfigJson.fromJson("{\"peft_type\": \"LOKR\", \"init_weights\": \"lycoris\", "
                + "\"decompose_both\": true, \"target_modules\": [\"q\"]}").variant());
    }

    @Test
    void peftValuesAreAccepted() {
        AdapterConfig c = AdapterConfigJson.fromJson("{\"peft_type\": \"LORA\", \"r\": 16.0, \"lora_alpha\": 32, "
                + "\"lora_dropout\": 0.1, \"target_modules\": [\"q_proj\", \"v_proj\"], \"bias\": \"lora_only\", "
                + "\"init_lora_weights\": \"pissa_niter_16\", \"rank_pattern\": {\"q_proj\": 8}, \"alpha_pattern\": "
                + "{\"v_proj\": 4.5}, \"use_rslora\": true, \"use_dora\": false, \"layers_to_transform\": [0, 1], "
                + "\"layers_pattern\": [\"layers\"], \"modules_to_save\": null, \"task_type\": \"CAUSAL_LM\", "
                + "\"lora_bias\": false, \"fan_in_fan_out\": false, \"inference_mode\": true}");
        assertEquals(16, c.r());
        assertEquals(32.0, c.alpha());
        assertEquals(8, c.rankPattern().get("q_proj"));
        assertEquals(4.5, c.alphaPattern().get("v_proj"));
        assertEquals(16, c.init().niter());
        AdapterConfig dora = AdapterConfigJson.fromJson("{\"use_dora\": true, \"target_modules\": [\"q\"]}");
        assertEquals("dora", dora.variant());
    }
}
