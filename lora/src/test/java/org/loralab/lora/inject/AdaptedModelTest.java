package org.loralab.lora.inject;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.util.Pair;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.testing.Toy;

/** Handle semantics: errors, several adapters, modules_to_save, bias, unload (spec §1.3-1.4). */
class AdaptedModelTest {
    private NDManager m;
    private Toy.Mlp mlp;
    private NDArray x;

    @BeforeEach
    void setUp() {
        m = NDManager.newBaseManager();
        mlp = Toy.init(new Toy.Mlp(), m, new Shape(9, 10));
        x = Toy.mlpInput(m);
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    private static AdapterConfig.Builder cfg(String... targets) {
        return AdapterConfig.builder().targetModules(targets).seed(0);
    }

    @Test
    void doubleInjectionIsAnError() {
        AdaptedModel am = AdaptedModel.inject(mlp, cfg("lin0").build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> am.addAdapter("default", cfg("lin1").build()));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> AdaptedModel.inject(am.block(), cfg("lin0").build()));
        assertTrue(e2.getMessage().contains("already carries adapters"), e2.getMessage());
        assertEquals(1, am.layers().size());
    }

    @Test
    void noMatchListsNearestNamesAndPartialMatchWarns() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdaptedModel.inject(mlp, cfg("lin_0").build()));
        assertTrue(e.getMessage().contains("not found") && e.getMessage().contains("lin0"), e.getMessage());
        assertSame(mlp.lin0.getClass(), Linear.class, "nothing was wrapped");
        AdaptedModel am = AdaptedModel.inject(mlp, cfg("lin0", "lin9").build());
        assertEquals(1, am.layers().size());
        assertTrue(am.warnings().get(0).contains("'lin9'"), am.warnings().toString());
        IllegalArgumentException r = assertThrows(IllegalArgumentException.class,
                () -> am.addAdapter("b", AdapterConfig.builder().targetModulesRegex("lin").build()));
        assertTrue(r.getMessage().contains("regex"), r.getMessage());
        assertThrows(IllegalArgumentException.class, () -> am.addAdapter("c", AdapterConfig.builder().build()));
    }

    @Test
    void unsupportedMatchedModuleIsAnError() {
        SequentialBlock net = new SequentialBlock().add(Linear.builder().setUnits(4).build()).add(LayerNorm.builder().build());
        Toy.init(net, m, new Shape(2, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdaptedModel.inject(net, AdapterConfig.builder().targetModulesRegex("\\d").build()));
        assertTrue(e.getMessage().contains("LayerNorm"), e.getMessage());
        AdaptedModel all = AdaptedModel.inject(net, AdapterConfig.builder().targetModules(org.loralab.lora.config.TargetModules.ALL_LINEAR).build());
        assertEquals(List.of("0"), all.layers().stream().map(AdaptedLayerInfo::path).toList());
    }

    @Test
    void severalAdaptersActivateSumAndDelete() {
        float[] base = Toy.run(mlp, x).toFloatArray();
        AdaptedModel am = AdaptedModel.inject(mlp, cfg("lin0").init(false).build());
        float[] a = Toy.run(am.block(), x).toFloatArray();
        am.addAdapter("other", cfg("lin0", "lin1").init(false).seed(1).build());
        assertEquals(List.of("default"), am.activeAdapters(), "a new adapter is not active");
        assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), a, 1e-6, 1e-7));
        am.setActive("other");
        float[] b = Toy.run(am.block(), x).toFloatArray();
        assertFalse(Toy.allClose(b, a, 1e-5, 1e-6));
        long otherCount = 8 * 30 + 8 * 22;
        assertEquals(otherCount, am.trainableParameters(), "only the active adapter trains");
        am.setActive("default", "other");
        float[] both = Toy.run(am.block(), x).toFloatArray();
        assertFalse(Toy.allClose(both, a, 1e-5, 1e-6) || Toy.allClose(both, b, 1e-5, 1e-6));
        am.merge();
        assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), both, 1e-4, 1e-4));
        am.deleteAdapter("other");
        assertEquals(List.of("default"), am.adapterNames());
        assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), a, 1e-4, 1e-4), "merged default survives delete of other");
        am.deleteAdapter("default");
        assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), base, 1e-4, 1e-4));
        assertTrue(mlp.lin0 instanceof Linear, "wrapper removed from the field");
        assertTrue(am.layers().isEmpty());
    }

    @Test
    void modulesToSaveCopiesTrainAndCount() {
        long base = 10 * 20 + 20 + 20 * 2 + 2;
        Block originalHead = mlp.lin1;
        float[] baseOut = Toy.run(mlp, x).toFloatArray();
        AdaptedModel am = AdaptedModel.inject(mlp, cfg("lin0").r(4).modulesToSave("lin1").build());
        long lora = 4 * (10 + 20);
        long head = 20 * 2 + 2;
        assertEquals(lora + head, am.trainableParameters());
        assertEquals(base + lora + head, am.allParameters());
        assertTrue(am.trainableSummary().startsWith("trainable params: 162 || all params: 424 || trainable%: 38.2075"),
                am.trainableSummary());
        for (Parameter p : originalHead.getDirectParameters().values()) {
            assertFalse(p.requiresGradient(), "original head frozen");
        }
        // change the copy: the model output follows the copy, disable goes back to the original
        Parameter copyW = am.trainableParameterMap().get("lin1.modules_to_save.default.weight").parameter();
        assertNotSame(originalHead.getDirectParameters().get("weight"), copyW);
        copyW.getArray().muli(2);
        float[] withCopy = Toy.run(am.block(), x).toFloatArray();
        assertFalse(Toy.allClose(withCopy, baseOut, 1e-5, 1e-6));
        try (AdapterScope off = am.disable()) {
            assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), baseOut, 1e-5, 1e-8));
        }
        assertTrue(am.adapterTensors("default").containsKey("base_model.model.lin1.weight"));
        assertTrue(am.adapterTensors("default").containsKey("base_model.model.lin1.bias"));
        Block plain = am.mergeAndUnload();
        assertTrue(Toy.allClose(Toy.run(plain, x).toFloatArray(), withCopy, 1e-4, 1e-4));
        for (Block b : BlockPaths.named(plain).values()) {
            assertFalse(b instanceof Wrapper);
        }
        for (Pair<String, Block> c : plain.getChildren()) {
            assertFalse(c.getValue() instanceof Wrapper, "no wrapper left: " + c.getKey());
        }
        assertTrue(mlp.lin1 instanceof Linear && mlp.lin1 != originalHead, "the trained copy replaced the head");
    }

    @Test
    void biasOptions() {
        AdaptedModel all = AdaptedModel.inject(mlp, cfg("lin0").r(2).bias("all").build());
        assertEquals(2 * 30 + 20 + 2, all.trainableParameters());
        assertTrue(all.trainableParameterMap().containsKey("lin1.bias"));
        all.unload();
        Toy.Mlp other = Toy.init(new Toy.Mlp(), m, new Shape(9, 10));
        AdaptedModel only = AdaptedModel.inject(other, cfg("lin0").r(2).bias("lora_only").build());
        assertEquals(2 * 30 + 20, only.trainableParameters());
        assertTrue(only.adapterTensors("default").containsKey("base_model.model.lin0.base_layer.bias"), "PEFT's key for a wrapped layer's bias");
    }

    @Test
    void unloadGivesBaseBack() {
        float[] base = Toy.run(mlp, x).toFloatArray();
        AdaptedModel am = AdaptedModel.inject(mlp, cfg("lin0", "lin1").init(false).build());
        am.merge();
        Block plain = am.unload();
        assertSame(mlp, plain);
        assertTrue(mlp.lin0 instanceof Linear && mlp.lin1 instanceof Linear);
        assertTrue(Toy.allClose(Toy.run(plain, x).toFloatArray(), base, 1e-4, 1e-4), "unload unmerges");
        for (Pair<String, Parameter> p : plain.getParameters()) {
            assertTrue(p.getValue().requiresGradient(), "trainable again like before injection: " + p.getKey());
        }
    }

    /** A parent that forwards through a Map of its children (as some user blocks do). */
    private static final class MapHolder extends ai.djl.nn.AbstractBlock {
        final java.util.Map<String, Block> byName = new java.util.LinkedHashMap<>();

        MapHolder() {
            byName.put("proj", addChildBlock("proj", Linear.builder().setUnits(4).build()));
        }

        @Override
        protected ai.djl.ndarray.NDList forwardInternal(ai.djl.training.ParameterStore ps, ai.djl.ndarray.NDList in,
                boolean training, ai.djl.util.PairList<String, Object> params) {
            return byName.get("proj").forward(ps, in, training, params);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] in) {
            return new Shape[] {new Shape(in[0].get(0), 4)};
        }

        @Override
        protected void initializeChildBlocks(NDManager mm, ai.djl.ndarray.types.DataType t, Shape... in) {
            byName.get("proj").initialize(mm, t, in);
        }
    }

    @Test
    void childrenHeldInAMapAreReplacedToo() {
        MapHolder h = Toy.init(new MapHolder(), m, new Shape(2, 3));
        NDArray in = m.randomNormal(new Shape(2, 3));
        float[] base = Toy.run(h, in).toFloatArray();
        AdaptedModel am = AdaptedModel.inject(h, cfg("proj").init(false).build());
        assertTrue(h.byName.get("proj") instanceof Wrapper);
        assertFalse(Toy.allClose(Toy.run(am.block(), in).toFloatArray(), base, 1e-5, 1e-6), "the adapter is on the forward path");
        am.unload();
        assertTrue(h.byName.get("proj") instanceof Linear);
    }

    @Test
    void layerTableAndMatrices() {
        AdaptedModel am = AdaptedModel.inject(mlp, cfg("lin0", "lin1").r(4).alpha(8).build());
        List<AdaptedLayerInfo> rows = am.layers();
        assertEquals(2, rows.size());
        AdaptedLayerInfo r0 = rows.get(0);
        assertEquals("lin0", r0.path());
        assertEquals(new Shape(20, 10), r0.baseShape());
        assertEquals("lora", r0.variant());
        assertEquals(4, r0.r());
        assertEquals(8.0, r0.alpha());
        assertEquals(2.0, r0.scaling());
        assertEquals(4 * 30, r0.trainable());
        assertEquals("activation", r0.mechanism());
        assertEquals(20, am.baseWeight("lin0").length);
        assertEquals(10, am.baseWeight("lin0")[0].length);
        float[][] d = am.deltaWeight("lin1", "default");
        assertEquals(2, d.length);
        assertEquals(0f, d[1][19], "dW = 0 at init");
    }
}
