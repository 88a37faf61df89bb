package org.loralab.lora.variant.vera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.loralab.lora.variant.lora.init.TinyMlp.forward;
import static org.loralab.lora.variant.lora.init.TinyMlp.maxAbsDiff;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.inject.AdapterScope;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.lora.init.TinyMlp;

/** VeRA through the real injector on a small MLP (targets 10→20 and 20→8). */
class VeraModelTest {
    @TempDir
    Path tmp;

    private static AdapterConfig config(boolean saveProjection) {
        return AdapterConfig.builder().variant("vera").r(4).targetModules("0", "2")
                .option(VeraOptions.PROJECTION_PRNG_KEY, 5).option(VeraOptions.SAVE_PROJECTION, saveProjection)
                .seed(0).build();
    }

    private static void perturb(AdaptedModel m, String adapter) {
        for (AdapterParam p : m.adapterTensors(adapter).values()) {
            if (p.key().equals("vera_lambda_b")) {
                p.parameter().getArray().addi(0.5f);
            }
        }
    }

    @Test
    void countsNamesNoOpMergeAndDisable() {
        try (NDManager m = NDManager.newBaseManager()) {
            var block = TinyMlp.build(m);
            NDArray base = forward(block, m);
            AdaptedModel model = AdaptedModel.inject(block, config(true));
            assertEquals(base, forward(model.block(), m), "no-op at init (lambda_b = 0)");
            assertEquals((20 + 4) + (8 + 4), model.trainableParameters());
            assertEquals(406 + 36, model.allParameters(), "base 406 + lambdas; the projections are buffers");
            Map<String, AdapterParam> tensors = model.adapterTensors("default");
            assertEquals(List.of("base_model.model.0.vera_lambda_b", "base_model.model.0.vera_lambda_d",
                    "base_model.model.2.vera_lambda_b", "base_model.model.2.vera_lambda_d",
                    "base_model.vera_A", "base_model.vera_B"), List.copyOf(tensors.keySet()));
            assertEquals(new Shape(4, 20), tensors.get("base_model.vera_A").parameter().getArray().getShape());
            assertEquals(new Shape(20, 4), tensors.get("base_model.vera_B").parameter().getArray().getShape());
            assertFalse(model.trainableParameterMap().containsKey("base_model.vera_A.default"), "projections frozen");

            perturb(model, "default");
            NDArray unmerged = forward(model.block(), m);
            assertTrue(maxAbsDiff(unmerged, base) > 1e-4);
            model.merge();
            assertTrue(maxAbsDiff(forward(model.block(), m), unmerged) < 1e-4, "merge == unmerged");
            model.unmerge();
            try (AdapterScope off = model.disable()) {
                assertTrue(maxAbsDiff(forward(model.block(), m), base) < 1e-6, "disable == base");
            }
            assertTrue(maxAbsDiff(forward(model.block(), m), unmerged) < 1e-5);
        }
    }

    @Test
    void adaptersOfOneModelShareProjectionsAndMustAgreeOnKeyAndSaving() {
        try (NDManager m = NDManager.newBaseManager()) {
            AdaptedModel model = AdaptedModel.inject(TinyMlp.build(m), config(true));
            perturb(model, "default");
            NDArray before = forward(model.block(), m);
            model.addAdapter("other", config(true));
            assertSame(model.adapterTensors("default").get("base_model.vera_A").parameter(),
                    model.adapterTensors("other").get("base_model.vera_A").parameter(), "same memory");

            AdapterConfig otherKey = config(true).toBuilder().option(VeraOptions.PROJECTION_PRNG_KEY, 6).build();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.addAdapter("bad-key", otherKey));
            assertTrue(e.getMessage().contains("projection_prng_key=6"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> model.addAdapter("bad-save", config(false)));
            AdapterConfig otherRank = config(true).toBuilder().r(8).build();
            assertThrows(IllegalArgumentException.class, () -> model.addAdapter("bad-r", otherRank));
            assertEquals(List.of("default", "other"), model.adapterNames());

            model.deleteAdapter("other");
            assertTrue(maxAbsDiff(forward(model.block(), m), before) < 1e-6, "the shared arrays outlive 'other'");
        }
    }

    private static void assertJsonIsAVeraConfig(Path dir, boolean saveProjection) {
        try {
            JsonObject json = JsonParser.parseString(Files.readString(dir.resolve("adapter_config.json")))
                    .getAsJsonObject();
            assertEquals("VERA", json.get("peft_type").getAsString());
            assertEquals(5, json.get("projection_prng_key").getAsInt());
            assertEquals(saveProjection, json.get("save_projection").getAsBoolean());
            assertEquals(0.1, json.get("d_initial").getAsDouble(), 0.0);
            assertTrue(json.get("init_weights").getAsBoolean());
            assertFalse(json.has("lora_alpha") || json.has("use_dora"), "no LoRA-only keys: " + json.keySet());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void onlyTheLambdasMoveUnderSgd() {
        try (NDManager m = NDManager.newBaseManager(); ai.djl.Model djl = ai.djl.Model.newInstance("vera")) {
            djl.setBlock(TinyMlp.build(m));
            AdaptedModel model = AdaptedModel.inject(djl, config(true));
            assertEquals(4, TinyMlp.assertOnlyAdapterParamsMove(djl, model, m), "lambda_b and lambda_d of two layers");
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void saveLoadRoundTripWithAndWithoutSavedProjections(boolean saveProjection) {
        try (NDManager m = NDManager.newBaseManager()) {
            AdaptedModel model = AdaptedModel.inject(TinyMlp.build(m), config(saveProjection));
            perturb(model, "default");
            NDArray trained = forward(model.block(), m);
            Path dir = tmp.resolve("vera-" + saveProjection);
            model.save(dir, "default");
            assertJsonIsAVeraConfig(dir, saveProjection);
            model.load(dir, "reloaded");
            assertEquals(saveProjection, model.adapterTensors("reloaded").containsKey("base_model.vera_A"));
            model.setActive("reloaded");
            assertTrue(maxAbsDiff(forward(model.block(), m), trained) < 1e-5,
                    "reloaded (projections " + (saveProjection ? "from the file" : "regenerated from the key") + ")");
            assertEquals(5L, VeraOptions.of(model.config("reloaded")).projectionPrngKey());
        }
    }
}
