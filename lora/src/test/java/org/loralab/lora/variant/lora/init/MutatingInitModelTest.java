package org.loralab.lora.variant.lora.init;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.loralab.lora.variant.lora.init.TinyMlp.forward;
import static org.loralab.lora.variant.lora.init.TinyMlp.maxAbsDiff;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.variant.AdapterParam;

/** PiSSA / OLoRA through the real injector on a small MLP. */
class MutatingInitModelTest {
    @TempDir
    Path tmp;

    private static AdapterConfig config(String init) {
        return AdapterConfig.builder().r(4).alpha(8).targetModules("0", "2").init(init).seed(1).build();
    }

    /** B *= 2 on every layer, like PEFT's conversion tests: a deterministic stand-in for training. */
    private static void perturb(AdaptedModel m) {
        for (AdapterParam p : m.adapterTensors("default").values()) {
            if (p.key().equals("lora_B.weight")) {
                p.parameter().getArray().muli(2);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"pissa", "pissa_niter_8", "olora"})
    void noOpAtInitMergeUnmergeAndCounts(String init) {
        try (NDManager m = NDManager.newBaseManager()) {
            SequentialBlock block = TinyMlp.build(m);
            NDArray base = forward(block, m);
            AdaptedModel model = AdaptedModel.inject(block, config(init));
            assertTrue(maxAbsDiff(forward(model.block(), m), base) < 1e-5, init + ": no-op at init");
            assertEquals(4L * (10 + 20) + 4L * (20 + 8), model.trainableParameters());
            assertEquals(406 + 232, model.allParameters(), "MLP 406 + adapters 232");

            perturb(model);
            NDArray unmerged = forward(model.block(), m);
            assertTrue(maxAbsDiff(unmerged, base) > 1e-4, "perturbed adapter changes the output");
            model.merge();
            assertTrue(maxAbsDiff(forward(model.block(), m), unmerged) < 1e-4, "merge == unmerged");
            model.unmerge();
            assertTrue(maxAbsDiff(forward(model.block(), m), unmerged) < 1e-5, "unmerge restores");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"pissa", "olora"})
    void onlyAdapterParamsMoveUnderSgd(String init) {
        try (NDManager m = NDManager.newBaseManager(); ai.djl.Model model = ai.djl.Model.newInstance(init)) {
            model.setBlock(TinyMlp.build(m));
            AdaptedModel adapted = AdaptedModel.inject(model, config(init));
            assertEquals(4, TinyMlp.assertOnlyAdapterParamsMove(model, adapted, m), "A and B of two layers");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"pissa", "olora"})
    void residualPlusDeltaIsTheOriginalWeight(String init) {
        try (NDManager m = NDManager.newBaseManager()) {
            SequentialBlock block = TinyMlp.build(m);
            SequentialBlock original = TinyMlp.copy(block, m);
            AdaptedModel model = AdaptedModel.inject(block, config(init));
            AdaptedModel plain = AdaptedModel.of(original);
            for (String path : new String[] {"0", "2"}) {
                float[][] w0 = plain.baseWeight(path);
                float[][] wRes = model.baseWeight(path);
                float[][] d = model.deltaWeight(path, "default");
                for (int i = 0; i < w0.length; i++) {
                    for (int j = 0; j < w0[0].length; j++) {
                        assertEquals(w0[i][j], wRes[i][j] + d[i][j], 1e-4, path + " W_res + s·B·A == W");
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"pissa", "olora"})
    void saveLoadRoundTripOnTheResidualModel(String init) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            AdaptedModel model = AdaptedModel.inject(TinyMlp.build(m), config(init));
            perturb(model);
            NDArray trained = forward(model.block(), m);
            Path dir = tmp.resolve(init);
            model.save(dir, "default");
            JsonObject json = JsonParser.parseString(Files.readString(dir.resolve("adapter_config.json")))
                    .getAsJsonObject();
            assertEquals(init, json.get("init_lora_weights").getAsString());
            model.load(dir, "reloaded");     // init is not re-run on load: the base stays W_res
            model.setActive("reloaded");
            assertTrue(maxAbsDiff(forward(model.block(), m), trained) < 1e-5, "reloaded == trained");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"pissa", "olora"})
    void convertedAdapterLoadsOntoTheOriginalModel(String init) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            SequentialBlock block = TinyMlp.build(m);
            Block original = TinyMlp.copy(block, m);
            NDArray originalOut = forward(original, m);
            AdaptedModel model = AdaptedModel.inject(block, config(init));
            InitialAdapter initial = InitialAdapter.capture(model, "default");
            perturb(model);
            NDArray trained = forward(model.block(), m);

            Path dir = tmp.resolve("converted-" + init);
            initial.saveAsLora(model, "default", dir);
            assertEquals(1, model.adapterNames().size(), "the temporary adapter is gone");
            assertTrue(maxAbsDiff(forward(model.block(), m), trained) < 1e-6, "the model is unchanged");
            JsonObject json = JsonParser.parseString(Files.readString(dir.resolve("adapter_config.json")))
                    .getAsJsonObject();
            assertEquals(8, json.get("r").getAsInt());
            assertEquals(16.0, json.get("lora_alpha").getAsDouble(), 0.0);
            assertTrue(json.get("init_lora_weights").getAsBoolean());

            AdaptedModel onOriginal = AdaptedModel.of(original);
            onOriginal.load(dir, "default");
            NDArray converted = forward(onOriginal.block(), m);
            assertTrue(maxAbsDiff(converted, trained) < 1e-4, "converted LoRA on W == PiSSA on W_res: "
                    + maxAbsDiff(converted, trained));
            try (var off = onOriginal.disable()) {
                assertTrue(maxAbsDiff(forward(onOriginal.block(), m), originalOut) < 1e-6, "disable == original base");
            }
        }
    }
}
