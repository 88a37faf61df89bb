package org.loralab.lora.variant.qlora;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.testing.Ref;
import org.loralab.lora.testing.Toy;
import org.loralab.lora.variant.AdapterParam;

/**
 * DoRA on a layer whose base a QLoRA adapter holds quantised (PEFT's DoRA on a 4-bit base, "QDoRA"): DoRA reads W
 * through {@code BaseLayer.denseWeight}, so it computes with {@code dequant(Q)}, never with the NaN placeholder the
 * released weight Parameter views.
 */
class QDoraTest {
    /** Both sides run the same fp32 ops on the same values; the bound only allows for engine summation order. */
    private static final double TOL = 1e-6;

    private NDManager m;
    private WideMlp mlp;
    private Parameter w0;
    private NDArray x;

    @BeforeEach
    void setUp() {
        m = NDManager.newBaseManager();
        mlp = WideMlp.create(m, 11);
        w0 = mlp.weight(mlp.lin0); // before injection replaces the field
        x = WideMlp.input(m);
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    private static AdapterConfig qlora() {
        return AdapterConfig.builder().variant("qlora").option("quantization", "nf4").r(4).alpha(8)
                .targetModules("lin0", "lin1").init(false).seed(5).build();
    }

    private static AdapterConfig dora(double dropout) {
        return AdapterConfig.builder().variant("dora").r(4).alpha(8).dropout(dropout).targetModules("lin0", "lin1")
                .seed(7).build();
    }

    /** QLoRA "default" + DoRA "dora" on lin0/lin1, and the twin: LoRA + DoRA on a dense base holding dequant(Q). */
    private AdaptedModel[] pair(double dropout) {
        return pair(dropout, false);
    }

    /**
     * With {@code doraFirst} DoRA is injected on the dense base and QLoRA then quantises it: DoRA's magnitude comes
     * from the original W (the twin gets the same values), and only DoRA's forward reads the quantised base.
     */
    private AdaptedModel[] pair(double dropout, boolean doraFirst) {
        AdaptedModel q;
        if (doraFirst) {
            q = AdaptedModel.inject(mlp, dora(dropout), "dora");
            q.addAdapter("default", qlora());
        } else {
            q = AdaptedModel.inject(mlp, qlora());
            q.addAdapter("dora", dora(dropout));
        }
        WideMlp twin = WideMlp.create(m, 11); // same biases
        twin.weight(twin.lin0).getArray().set(Ref.flat(q.baseWeight("lin0")));
        twin.weight(twin.lin1).getArray().set(Ref.flat(q.baseWeight("lin1")));
        AdaptedModel d = AdaptedModel.inject(twin, AdapterConfig.builder().r(4).alpha(8)
                .targetModules("lin0", "lin1").init(false).seed(5).build());
        d.addAdapter("dora", dora(dropout));
        q.setActive("default", "dora");
        d.setActive("default", "dora");
        Map<String, AdapterParam> qp = q.trainableParameterMap();
        Map<String, AdapterParam> dp = d.trainableParameterMap();
        assertEquals(dp.keySet(), qp.keySet());
        // the magnitude was initialised from ‖dequant(Q)‖, as on the dense twin
        for (String k : qp.keySet()) {
            if (k.contains("lora_magnitude_vector") && !doraFirst) {
                float[] mq = qp.get(k).parameter().getArray().toFloatArray();
                assertFalse(Float.isNaN(mq[0]), k + " computed from the NaN placeholder");
                assertArrayEquals(dp.get(k).parameter().getArray().toFloatArray(), mq, 1e-6f, k);
            }
        }
        // non-zero B (DoRA and LoRA start at B = 0) so every term counts; the same values on both sides
        Random rnd = new Random(3);
        for (String k : qp.keySet()) {
            NDArray a = qp.get(k).parameter().getArray();
            float[] v = a.toFloatArray();
            if (k.contains("lora_B")) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (rnd.nextGaussian() * 0.05);
                }
                a.set(v);
            }
            dp.get(k).parameter().getArray().set(v);
        }
        return new AdaptedModel[] {q, d};
    }

    private static float[] training(Block b, NDManager m, NDArray x) {
        return b.forward(new ParameterStore(m, false), new NDList(x), true).head().toFloatArray();
    }

    @Test
    void doraOnAQuantisedBaseMatchesDoraOnTheDenseDequantisedBase() {
        AdaptedModel[] p = pair(0.0);
        float[] q = Toy.run(p[0].block(), x).toFloatArray();
        float[] d = Toy.run(p[1].block(), x).toFloatArray();
        assertFalse(Float.isNaN(q[0]), "NaN: DoRA read the released weight Parameter");
        assertArrayEquals(d, q, (float) TOL);
        assertArrayEquals(training(p[1].block(), m, x), training(p[0].block(), m, x), (float) TOL);
    }

    @Test
    void doraAddedBeforeTheQuantisationReadsTheDequantisedWeightInItsForward() {
        AdaptedModel[] p = pair(0.0, true);
        assertTrue(Float.isNaN(w0.getArray().toFloatArray()[0]), "QLoRA released the dense W");
        float[] q = Toy.run(p[0].block(), x).toFloatArray();
        assertFalse(Float.isNaN(q[0]), "NaN: DoRA's forward read the released weight Parameter");
        assertArrayEquals(Toy.run(p[1].block(), x).toFloatArray(), q, (float) TOL);
    }

    @Test
    void doraKeepsNoDequantisedCopyAfterAForward() {
        AdaptedModel[] p = pair(0.25);
        Toy.run(p[0].block(), x); // warm-up
        p[0].block().forward(new ParameterStore(m, false), new NDList(x), true);
        long before = denseCopies();
        for (int i = 0; i < 3; i++) {
            Toy.run(p[0].block(), x);
            p[0].block().forward(new ParameterStore(m, false), new NDList(x), true); // the dropout path
        }
        assertEquals(before, denseCopies(), "W-sized arrays left on the input's manager by 6 forwards");
    }

    /** Arrays shaped like lin0's W on the test manager, other than the released Parameter's placeholder. */
    private long denseCopies() {
        return m.getManagedArrays().stream().filter(a -> a.getShape().equals(w0.getArray().getShape())
                && a != w0.getArray()).count();
    }

    @Test
    void gradientsMatchDoraOnTheDenseDequantisedBase() {
        AdaptedModel[] p = pair(0.0);
        float[][] grads = new float[2][];
        for (int i = 0; i < 2; i++) {
            try (NDManager step = m.newSubManager()) {
                NDArray in = x.duplicate();
                in.attach(step);
                try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                    NDArray out = p[i].block().forward(new ParameterStore(step, false), new NDList(in), true).head();
                    gc.backward(out.mul(out).sum());
                }
            }
            grads[i] = p[i].trainableParameterMap().get("lin0.lora_magnitude_vector.dora.weight").parameter()
                    .getArray().getGradient().toFloatArray();
        }
        assertFalse(Float.isNaN(grads[0][0]), "NaN magnitude gradient");
        assertTrue(Toy.maxDiff(grads[0], new float[grads[0].length]) > 1e-3, "the magnitude gets a gradient");
        assertArrayEquals(grads[1], grads[0], 1e-5f);
    }

    @Test
    void doraDropoutPathUsesTheDequantisedWeight() {
        AdaptedModel[] p = pair(0.25);
        Engine.getInstance().setRandomSeed(42);
        float[] q = training(p[0].block(), m, x);
        Engine.getInstance().setRandomSeed(42);
        float[] d = training(p[1].block(), m, x);
        assertFalse(Float.isNaN(q[0]), "NaN on DoRA's dropout path");
        assertArrayEquals(d, q, (float) TOL);
    }

    @Test
    void doraMergeIntoAQuantisedBaseIsRequantisedAndUnmergeRestoresNearly() {
        AdaptedModel[] p = pair(0.0);
        p[0].setActive("dora");
        p[1].setActive("dora");
        float[] unmerged = Toy.run(p[0].block(), x).toFloatArray();
        p[0].merge(true); // safe merge checks W + ΔW with the dequantised W
        p[1].merge();
        float[] mergedW = Ref.flat(p[0].baseWeight("lin0"));
        float[] denseMergedW = Ref.flat(p[1].baseWeight("lin0"));
        double wDrift = relative(mergedW, denseMergedW);
        float[] merged = Toy.run(p[0].block(), x).toFloatArray();
        double outDrift = relative(merged, unmerged);
        System.out.printf("QDoRA merge (re-quantised NF4): W vs dense merge %.4f, logits vs unmerged %.4f%n",
                wDrift, outDrift);
        assertTrue(wDrift > 0 && wDrift < 0.1, "merged W is quant(k ⊙ (W + ΔW)): " + wDrift);
        assertTrue(outDrift < 0.2, "merged output near unmerged (NF4 rounding): " + outDrift);
        assertTrue(Float.isNaN(w0.getArray().toFloatArray()[0]), "W stays in the quantised storage");
        p[0].unmerge();
        float[] back = Toy.run(p[0].block(), x).toFloatArray();
        assertTrue(relative(back, unmerged) < 0.2, "unmerged again: " + relative(back, unmerged));
        // merge and unload leave the dense merged W in the Parameter
        p[0].merge();
        float[] mergedOut = Toy.run(p[0].block(), x).toFloatArray();
        float[] stored = Ref.flat(p[0].baseWeight("lin0"));
        Block plain = p[0].mergeAndUnload();
        assertArrayEquals(stored, w0.getArray().toFloatArray(), "dense dequant(Q') in the Parameter");
        assertArrayEquals(mergedOut, Toy.run(plain, x).toFloatArray());
    }

    static double relative(float[] a, float[] b) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            num += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
            den += (double) b[i] * b[i];
        }
        return Math.sqrt(num / den);
    }
}
