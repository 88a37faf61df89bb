package org.loralab.lora.variant;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.testing.Toy;
import org.loralab.lora.variant.lora.LoraLayer;

/** The SPI a variant folder implements: shared state, per-layer creation, hooks, shared tensors. */
class VariantSpiTest {
    private NDManager m;

    /** LoRA plus a model-level shared tensor and step counters (what VeRA / AdaLoRA need). */
    static final class CountingVariant implements Variant {
        static final List<String> EVENTS = new ArrayList<>();

        @Override
        public String name() {
            return "counting";
        }

        @Override
        public String peftType() {
            return "COUNTING";
        }

        @Override
        public Set<LayerKind> supportedKinds() {
            return EnumSet.of(LayerKind.LINEAR);
        }

        @Override
        public SharedState createSharedState(ModelScope scope) {
            long maxIn = scope.targets().values().stream().mapToLong(BaseLayer::inFeatures).max().orElse(0);
            NDArray buf = scope.targets().values().iterator().next().manager().ones(new Shape(scope.config().r(), maxIn));
            Parameter shared = Parameter.builder().setName("shared").setType(Parameter.Type.OTHER).optArray(buf).build();
            EVENTS.add("shared " + scope.targets().keySet());
            return new SharedState() {
                @Override
                public List<AdapterParam> sharedParameters() {
                    return List.of(new AdapterParam("base_model.shared_A", shared, ParamRole.OTHER, false));
                }

                @Override
                public void layersCreated(Map<String, LayerAdapter> layers) {
                    EVENTS.add("layers " + layers.keySet());
                }

                @Override
                public void beforeStep(StepInfo step) {
                    EVENTS.add("before " + step.step());
                }

                @Override
                public NDArray extraLoss(ParamSource params, NDManager manager) {
                    return manager.create(0.5f);
                }

                @Override
                public void afterStep(StepInfo step) {
                    EVENTS.add("after " + step.step());
                }
            };
        }

        @Override
        public LayerAdapter createLayer(LayerSpec spec, SharedState shared) {
            return LoraLayer.create(spec);
        }
    }

    @BeforeEach
    void setUp() {
        m = NDManager.newBaseManager();
        VariantRegistry.register(new CountingVariant());
        CountingVariant.EVENTS.clear();
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    @Test
    void sharedStateHooksAndSharedTensors() {
        Toy.Mlp mlp = Toy.init(new Toy.Mlp(), m, new Shape(9, 10));
        AdaptedModel am = AdaptedModel.inject(mlp, AdapterConfig.builder().variant("counting").r(2)
                .targetModules("lin0", "lin1").build());
        assertEquals(List.of("shared [lin0, lin1]", "layers [lin0, lin1]"), CountingVariant.EVENTS);
        TrainingHooks hooks = am.hooks();
        hooks.beforeStep(new StepInfo(0, 10));
        assertEquals(0.5f, hooks.extraLoss(ParamSource.DIRECT, m).getFloat());
        hooks.afterStep(new StepInfo(0, 10));
        assertTrue(CountingVariant.EVENTS.containsAll(List.of("before 0", "after 0")));
        assertTrue(am.adapterTensors("default").containsKey("base_model.shared_A"), "shared tensors are saved");
        assertEquals(2 * 30 + 2 * 22, am.trainableParameters(), "frozen shared buffers are not parameters (PEFT buffers)");

        am.addAdapter("plain", AdapterConfig.builder().r(2).targetModules("lin0").build());
        am.setActive("plain");
        CountingVariant.EVENTS.clear();
        am.hooks().beforeStep(new StepInfo(1, 10));
        assertTrue(CountingVariant.EVENTS.isEmpty(), "hooks run for active adapters only");
    }

    @Test
    void unknownVariantAndUnsupportedKindAreClearErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VariantRegistry.get("nope"));
        assertTrue(e.getMessage().contains("lora"), e.getMessage());
        ai.djl.nn.SequentialBlock net = new ai.djl.nn.SequentialBlock()
                .add(ai.djl.nn.convolutional.Conv2d.builder().setFilters(2).setKernelShape(new Shape(1, 1)).build());
        Toy.init(net, m, new Shape(1, 3, 4, 4));
        IllegalArgumentException k = assertThrows(IllegalArgumentException.class,
                () -> AdaptedModel.inject(net, AdapterConfig.builder().variant("counting").targetModules("0").build()));
        assertTrue(k.getMessage().contains("CONV2D") && k.getMessage().contains("counting"), k.getMessage());
    }

    @Test
    void uninitializedModelIsRejectedWithWhatToDo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdaptedModel.inject(new Toy.Mlp(), AdapterConfig.builder().targetModules("lin0").build()));
        assertTrue(e.getMessage().contains("initialize"), e.getMessage());
    }
}
