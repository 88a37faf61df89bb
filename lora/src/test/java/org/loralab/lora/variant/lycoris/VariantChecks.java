package org.loralab.lora.variant.lycoris;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.inject.AdapterScope;
import org.loralab.lora.testing.Toy;
import org.loralab.lora.variant.AdapterParam;

/**
 * The test matrix every family-b variant runs (spec §22): no-op at init, merge == unmerged,
 * merge+unmerge restores W, disable == base, save/load round trip, only adapter params move.
 * Each check takes a freshly initialised model.
 */
public final class VariantChecks {
    private VariantChecks() {}

    /** Output after injecting {@code cfg} equals the base output (torch.allclose defaults). */
    public static AdaptedModel noOpAtInit(Block model, NDArray x, AdapterConfig cfg) {
        float[] base = Toy.run(model, x).toFloatArray();
        AdaptedModel am = AdaptedModel.inject(model, cfg);
        float[] got = Toy.run(am.block(), x).toFloatArray();
        assertTrue(Toy.allClose(got, base, 1e-5, 1e-8), "not a no-op at init, max diff " + Toy.maxDiff(got, base));
        return am;
    }

    /**
     * With a config whose adapter changes the output: merge == unmerged within {@code tol}, unmerge
     * restores every base tensor within 1e-5, disable == base (exactly before merging, 1e-5 after).
     */
    public static AdaptedModel mergeUnmergeDisable(Block model, NDArray x, AdapterConfig cfg, double tol) {
        float[] base = Toy.run(model, x).toFloatArray();
        Map<Parameter, float[]> before = snapshot(model);
        AdaptedModel am = AdaptedModel.inject(model, cfg);
        float[] unmerged = Toy.run(am.block(), x).toFloatArray();
        assertFalse(Toy.allClose(unmerged, base, 0, 1e-6), "the adapter must change the output for this check");
        try (AdapterScope off = am.disable()) {
            assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), base, 1e-5, 1e-8), "disable == base");
        }
        assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), unmerged, 1e-6, 1e-6), "enable restores");
        am.merge();
        assertTrue(am.isMerged());
        float[] merged = Toy.run(am.block(), x).toFloatArray();
        assertTrue(Toy.allClose(merged, unmerged, tol, tol), "merged vs unmerged max diff " + Toy.maxDiff(merged, unmerged));
        try (AdapterScope off = am.disable()) {
            assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), base, 1e-5, 1e-5), "disable after merge");
        }
        am.merge();
        am.unmerge();
        assertFalse(am.isMerged());
        for (Map.Entry<Parameter, float[]> e : before.entrySet()) {
            double d = Toy.maxDiff(e.getKey().getArray().toFloatArray(), e.getValue());
            assertTrue(d < 1e-5, "unmerge must restore " + e.getKey().getName() + ", off by " + d);
        }
        assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), unmerged, 1e-5, 1e-5));
        return am;
    }

    /**
     * Saves adapter "default", loads it back as "loaded" on the same model, and checks the tensors and
     * the outputs agree; returns the saved tensor names (without the "base_model.model." prefix).
     */
    public static Set<String> saveLoadRoundTrip(Block model, NDArray x, AdapterConfig cfg, Path dir) throws Exception {
        AdaptedModel am = AdaptedModel.inject(model, cfg);
        float[] out = Toy.run(am.block(), x).toFloatArray();
        am.save(dir, "default");
        assertTrue(Files.exists(dir.resolve("adapter_config.json")));
        assertTrue(Files.exists(dir.resolve("adapter_model.safetensors")));
        am.load(dir, "loaded");
        Map<String, AdapterParam> a = am.adapterTensors("default");
        Map<String, AdapterParam> b = am.adapterTensors("loaded");
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k).parameter().getArray().toFloatArray(), b.get(k).parameter().getArray().toFloatArray(),
                    k);
        }
        assertEquals(cfg.variant(), am.config("loaded").variant());
        assertEquals(cfg.options().keySet().isEmpty() ? Set.of() : cfg.options().keySet(),
                filter(am.config("loaded").options().keySet(), cfg.options().keySet()));
        am.setActive("loaded");
        float[] reloaded = Toy.run(am.block(), x).toFloatArray();
        assertTrue(Toy.allClose(reloaded, out, 1e-6, 1e-6), "reloaded adapter max diff " + Toy.maxDiff(reloaded, out));
        Set<String> names = new java.util.TreeSet<>();
        for (String k : a.keySet()) {
            names.add(k.startsWith("base_model.model.") ? k.substring("base_model.model.".length()) : k);
        }
        return names;
    }

    private static Set<String> filter(Set<String> have, Set<String> wanted) {
        Set<String> out = new java.util.HashSet<>(have);
        out.retainAll(wanted);
        return out;
    }

    /**
     * Three SGD steps (lr {@code lr}, loss = sum of outputs): every trainable adapter tensor moves by
     * more than 1e-6, every base tensor stays bit-identical.
     */
    public static AdaptedModel onlyAdapterParamsMove(Block model, NDArray x, AdapterConfig cfg, float lr) {
        Model djl = Model.newInstance("family-b");
        djl.setBlock(model);
        AdaptedModel am = AdaptedModel.inject(djl, cfg);
        Map<Parameter, float[]> before = snapshot(am.block());
        Map<String, AdapterParam> trainable = am.trainableParameterMap();
        Map<AdapterParam, float[]> adapterBefore = new LinkedHashMap<>();
        for (AdapterParam p : trainable.values()) {
            adapterBefore.put(p, p.parameter().getArray().toFloatArray());
        }
        Loss sum = new Loss("sum") {
            @Override
            public NDArray evaluate(NDList labels, NDList predictions) {
                return predictions.head().sum();
            }
        };
        DefaultTrainingConfig tc = new DefaultTrainingConfig(sum)
                .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(lr)).build());
        try (Trainer trainer = am.newTrainer(tc)) {
            for (int i = 0; i < 3; i++) {
                try (GradientCollector gc = trainer.newGradientCollector()) {
                    NDArray y = trainer.forward(new NDList(x)).head();
                    gc.backward(y.sum());
                }
                trainer.step();
            }
        }
        IdentityHashMap<Parameter, Boolean> adapter = new IdentityHashMap<>();
        for (Map.Entry<AdapterParam, float[]> e : adapterBefore.entrySet()) {
            adapter.put(e.getKey().parameter(), true);
            double d = Toy.maxDiff(e.getKey().parameter().getArray().toFloatArray(), e.getValue());
            assertTrue(d > 1e-6, e.getKey().key() + " should move, moved " + d);
        }
        for (Map.Entry<Parameter, float[]> e : before.entrySet()) {
            if (!adapter.containsKey(e.getKey())) {
                assertArrayEquals(e.getValue(), e.getKey().getArray().toFloatArray(), e.getKey().getName() + " must stay");
            }
        }
        djl.close();
        return am;
    }

    /** Every parameter of the block tree, copied. */
    public static Map<Parameter, float[]> snapshot(Block b) {
        Map<Parameter, float[]> out = new IdentityHashMap<>();
        for (Pair<String, Parameter> p : b.getParameters()) {
            if (p.getValue().getArray() != null) {
                out.put(p.getValue(), p.getValue().getArray().toFloatArray());
            }
        }
        return out;
    }
}
