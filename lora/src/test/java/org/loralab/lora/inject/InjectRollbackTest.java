package org.loralab.lora.inject;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.train.GradMode;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.LayerAdapter;
import org.loralab.lora.variant.LayerKind;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.ParamRole;
import org.loralab.lora.variant.SharedState;
import org.loralab.lora.variant.Variant;
import org.loralab.lora.variant.VariantRegistry;
import org.loralab.lora.variant.lora.LoraVariant;

/**
 * A failed injection leaves the model exactly as it was, and injecting, merging and unmerging work on a thread that
 * records gradients (a kernel's shell thread running a magic: PyTorch's grad mode is per thread).
 */
class InjectRollbackTest {

    static Model mlp(String name) {
        Model m = Model.newInstance(name);
        SequentialBlock b = new SequentialBlock().add(Linear.builder().setUnits(16).build()).add(Activation::relu)
                .add(Linear.builder().setUnits(3).build());
        m.setBlock(b);
        b.initialize(m.getNDManager(), DataType.FLOAT32, new Shape(1, 6));
        return m;
    }

    /** Name, values and trainability of every parameter of the model's (current) block tree. */
    static Map<String, String> snapshot(Model m) {
        Map<String, String> s = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : m.getBlock().getParameters()) {
            NDArray a = p.getValue().getArray();
            s.put(p.getKey(), java.util.Arrays.toString(a.toFloatArray()) + " grad=" + p.getValue().requiresGradient());
        }
        return s;
    }

    /** Runs {@code body} on a new thread whose grad mode is on, as on a thread the engine was not started on. */
    static <T> T onRecordingThread(Callable<T> body) throws Exception {
        AtomicReference<Object> out = new AtomicReference<>();
        Thread t = new Thread(() -> {
            GradMode.set(true);
            try {
                out.set(body.call());
            } catch (Throwable e) {
                out.set(e);
            }
        });
        t.start();
        t.join();
        if (out.get() instanceof Exception e) {
            throw e;
        }
        if (out.get() instanceof Error e) {
            throw e;
        }
        @SuppressWarnings("unchecked")
        T r = (T) out.get();
        return r;
    }

    /**
     * LoRA whose layers carry one extra parameter that is no leaf of the autograd graph, so making it trainable or
     * frozen fails inside the engine, as DoRA's magnitude did when computed with gradient recording on.
     */
    static final class NonLeafVariant implements Variant {
        private final LoraVariant lora = new LoraVariant();

        @Override
        public String name() {
            return "nonleaf_probe";
        }

        @Override
        public String peftType() {
            return "NONLEAF_PROBE";
        }

        @Override
        public Set<LayerKind> supportedKinds() {
            return lora.supportedKinds();
        }

        @Override
        public LayerAdapter createLayer(LayerSpec spec, SharedState shared) {
            LayerAdapter real = lora.createLayer(spec, shared);
            NDArray computed;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray leaf = spec.base().manager().ones(new Shape(2));
                leaf.setRequiresGradient(true);
                computed = leaf.mul(2);
            }
            Parameter bad = Parameter.builder().setName("nonleaf").setType(Parameter.Type.WEIGHT).build();
            bad.setArray(computed);
            List<AdapterParam> params = new ArrayList<>(real.parameters());
            params.add(new AdapterParam("nonleaf.weight", bad, ParamRole.OTHER, true));
            return (LayerAdapter) Proxy.newProxyInstance(LayerAdapter.class.getClassLoader(),
                    new Class<?>[] {LayerAdapter.class}, (proxy, method, args) ->
                            method.getName().equals("parameters") ? params : method.invoke(real, args));
        }
    }

    @Test
    void aFailedInjectLeavesEveryParameterAsItWas() {
        VariantRegistry.register(new NonLeafVariant());
        try (Model m = mlp("rollback")) {
            Map<String, String> before = snapshot(m);
            AdapterConfig bad = AdapterConfig.builder().variant("nonleaf_probe").targetModules("0", "2").r(2).build();
            RuntimeException e = assertThrows(RuntimeException.class, () -> AdaptedModel.inject(m, bad));
            assertTrue(e.getMessage().contains("leaf"), e.getMessage());
            assertEquals(before, snapshot(m), "a failed first injection left the tree changed");

            AdaptedModel a = AdaptedModel.inject(m, AdapterConfig.builder().targetModules("0").r(2).build());
            Map<String, String> adapted = snapshot(m);
            List<String> active = a.activeAdapters();
            assertThrows(RuntimeException.class, () -> a.addAdapter("second", bad));
            assertEquals(adapted, snapshot(m), "a failed second adapter left the tree changed");
            assertEquals(List.of("default"), a.adapterNames());
            assertEquals(active, a.activeAdapters());
        }
    }

    @Test
    void doraInjectsMergesAndUnmergesOnAThreadThatRecordsGradients() throws Exception {
        try (Model m = mlp("dora-thread")) {
            float[] w = m.getBlock().getParameters().get(0).getValue().getArray().toFloatArray();
            AdaptedModel a = onRecordingThread(() -> AdaptedModel.inject(m,
                    AdapterConfig.builder().variant("dora").targetModules("0").r(4).build()));
            assertEquals(List.of("default"), a.adapterNames());
            for (Map.Entry<String, org.loralab.lora.variant.AdapterParam> p : a.trainableParameterMap().entrySet()) {
                assertTrue(p.getValue().parameter().requiresGradient(), p.getKey());
            }
            onRecordingThread(() -> {
                a.merge(true);
                a.unmerge();
                return null;
            });
            // what a merge computed carries no graph: the base weight is a plain frozen leaf again
            Parameter base = a.block().getParameters().stream().filter(p -> p.getKey().contains("base_layer_weight"))
                    .findFirst().orElseThrow().getValue();
            assertFalse(base.getArray().hasGradient(), "the merged weight carries the adapter's graph");
            assertArrayEquals(w, base.getArray().toFloatArray(), 1e-6f);
        }
    }
}
