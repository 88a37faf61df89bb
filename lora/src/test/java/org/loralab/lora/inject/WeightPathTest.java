package org.loralab.lora.inject;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.testing.Ref;
import org.loralab.lora.testing.Toy;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.lora.Matrices;

/** A parent that keeps its layers in fields no wrapper fits: adapters go through the ParameterStore. */
class WeightPathTest {
    private NDManager m;
    private Toy.TypedMlp mlp;
    private NDArray x;

    @BeforeEach
    void setUp() {
        m = NDManager.newBaseManager();
        mlp = Toy.init(new Toy.TypedMlp(), m, new Shape(9, 10));
        x = Toy.mlpInput(m);
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    @Test
    void typedFieldsUseWeightPathAndMatchTheFormula() {
        float[] base = Toy.run(mlp, x).toFloatArray();
        float[][] w0 = Matrices.read(mlp.lin0.getDirectParameters().get("weight").getArray());
        float[] b0 = mlp.lin0.getDirectParameters().get("bias").getArray().toFloatArray();
        float[][] w1 = Matrices.read(mlp.lin1.getDirectParameters().get("weight").getArray());
        float[] b1 = mlp.lin1.getDirectParameters().get("bias").getArray().toFloatArray();

        AdaptedModel am = AdaptedModel.inject(mlp, AdapterConfig.builder().targetModules("lin0", "lin1").seed(1).build());
        assertEquals("weight", am.layers().get(0).mechanism());
        assertSame(mlp.lin0, am.namedBlocks().get("lin0"), "the typed field still holds the Linear");
        assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), base, 1e-5, 1e-8), "no-op at init");
        am.deleteAdapter("default");
        assertSame(mlp, am.block(), "the wrapper is gone after the last adapter is deleted");

        am.addAdapter("fixed", AdapterConfig.builder().r(4).alpha(8).targetModules("lin0", "lin1").init(false).seed(2).build());
        am.setActive("fixed");
        Map<String, AdapterParam> p = am.trainableParameterMap();
        float[][] a0 = Matrices.read(p.get("lin0.lora_A.fixed.weight").parameter().getArray());
        float[][] bb0 = Matrices.read(p.get("lin0.lora_B.fixed.weight").parameter().getArray());
        float[][] a1 = Matrices.read(p.get("lin1.lora_A.fixed.weight").parameter().getArray());
        float[][] bb1 = Matrices.read(p.get("lin1.lora_B.fixed.weight").parameter().getArray());
        NDArray xn = m.randomNormal(new Shape(9, 10));
        float[][] xs = Ref.matrix(xn.toFloatArray(), 9, 10);
        float[][] h = Ref.relu(Ref.add(Ref.linear(xs, w0, b0), Ref.linear(Ref.linear(xs, a0, null), bb0, null), 2.0));
        float[][] y = Ref.add(Ref.linear(h, w1, b1), Ref.linear(Ref.linear(h, a1, null), bb1, null), 2.0);
        float[] expected = Ref.flat(Ref.logSoftmax(y));
        float[] got = Toy.run(am.block(), xn).toFloatArray();
        assertTrue(Toy.allClose(got, expected, 1e-5, 1e-5), "max diff " + Toy.maxDiff(got, expected));

        am.merge();
        assertTrue(Toy.allClose(Toy.run(am.block(), xn).toFloatArray(), got, 1e-4, 1e-4));
        am.unmerge();
        try (AdapterScope off = am.disable()) {
            assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), base, 1e-5, 1e-8));
        }
    }

    @Test
    void gradientsReachAdapterThroughTheWeight() {
        AdaptedModel am = AdaptedModel.inject(mlp, AdapterConfig.builder().targetModules("lin0").seed(3).build());
        Parameter b = am.trainableParameterMap().get("lin0.lora_B.default.weight").parameter();
        Parameter w = mlp.lin0.getDirectParameters().get("weight");
        try (GradientCollector gc = m.getEngine().newGradientCollector()) {
            NDArray out = am.block().forward(new ParameterStore(m, false), new NDList(x), true).head();
            gc.backward(out.sum());
        }
        assertTrue(b.getArray().getGradient().abs().sum().getFloat() > 0, "B gets a gradient through W + s*B*A");
        assertFalse(w.requiresGradient(), "W stays frozen");
    }

    @Test
    void linearTypedFieldsGetALinearWrapperWithDropout() {
        Toy.LinearFieldMlp net = Toy.init(new Toy.LinearFieldMlp(), m, new Shape(9, 10));
        ai.djl.nn.core.Linear original = net.lin0;
        float[] base = Toy.run(net, x).toFloatArray();
        AdaptedModel am = AdaptedModel.inject(net, AdapterConfig.builder().targetModules("lin0").init(false).dropout(0.5)
                .seed(5).build());
        assertEquals("activation", am.layers().get(0).mechanism());
        assertTrue(net.lin0 instanceof LinearAdapterBlock);
        assertSame(original, am.namedBlocks().get("lin0"));
        assertTrue(am.warnings().isEmpty(), am.warnings().toString());
        float[] eval = Toy.run(am.block(), x).toFloatArray();
        assertFalse(Toy.allClose(eval, base, 1e-5, 1e-6));
        try (GradientCollector gc = m.getEngine().newGradientCollector()) {
            NDArray t = am.block().forward(new ParameterStore(m, false), new NDList(x), true).head();
            assertFalse(Toy.allClose(t.toFloatArray(), eval, 1e-6, 1e-6), "dropout acts in training");
        }
        am.merge();
        assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), eval, 1e-4, 1e-4));
        am.unload();
        assertSame(original, net.lin0);
        assertTrue(Toy.allClose(Toy.run(net, x).toFloatArray(), base, 1e-4, 1e-4));
    }

    @Test
    void loraBiasAndDropoutWarning() {
        AdaptedModel am = AdaptedModel.inject(mlp, AdapterConfig.builder().targetModules("lin0").loraBias(true).dropout(0.1)
                .seed(4).build());
        assertTrue(am.warnings().stream().anyMatch(w -> w.contains("lora_dropout is not applied")), am.warnings().toString());
        Parameter bb = am.trainableParameterMap().get("lin0.lora_B.default.bias").parameter();
        float[] ones = new float[20];
        java.util.Arrays.fill(ones, 1f);
        bb.getArray().set(ones);
        float[] unmerged = Toy.run(am.block(), x).toFloatArray();
        am.merge();
        assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), unmerged, 1e-4, 1e-4));
    }
}
