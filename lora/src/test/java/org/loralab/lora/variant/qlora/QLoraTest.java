package org.loralab.lora.variant.qlora;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.inject.AdapterScope;
import org.loralab.lora.quant.MemoryReport;
import org.loralab.lora.quant.Nf4;
import org.loralab.lora.quant.Nf4Weight;
import org.loralab.lora.quant.QuantizedWeight;
import org.loralab.lora.testing.Ref;
import org.loralab.lora.testing.Toy;
import org.loralab.lora.variant.AdapterParam;

/** QLoRA through an injected model: PEFT's 4-bit/8-bit LoRA layer semantics (spec §13.4). */
class QLoraTest {
    private NDManager m;
    private WideMlp mlp;
    private NDArray x;
    private Parameter w0;
    private Parameter w1;
    private Parameter b0;
    private Parameter b1;

    @BeforeEach
    void setUp() {
        m = NDManager.newBaseManager();
        mlp = WideMlp.create(m, 11);
        x = WideMlp.input(m);
        w0 = mlp.weight(mlp.lin0);
        w1 = mlp.weight(mlp.lin1);
        b0 = mlp.bias(mlp.lin0);
        b1 = mlp.bias(mlp.lin1);
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    private static AdapterConfig.Builder cfg(String quantization) {
        return AdapterConfig.builder().variant("qlora").option("quantization", quantization)
                .r(4).alpha(8).targetModules("lin0", "lin1").seed(5);
    }

    private static float[][] matrix(Parameter p) {
        return Ref.matrix(p.getArray().toFloatArray(), (int) p.getArray().getShape().get(0),
                (int) (p.getArray().size() / p.getArray().getShape().get(0)));
    }

    private static float[][] dequantized(float[][] w, String quantization) {
        QuantizedWeight q = Quantization.parse(quantization).quantize(Ref.flat(w), new int[] {w.length, w[0].length}, 64);
        return Ref.matrix(q.dequantize(), w.length, w[0].length);
    }

    /** relu(x·W0ᵀ + b0)·W1ᵀ + b1 with the given weights. */
    private float[] reference(float[][] weight0, float[][] weight1) {
        float[][] xs = Ref.matrix(x.toFloatArray(), 6, WideMlp.IN);
        float[][] h = Ref.relu(Ref.linear(xs, weight0, b0.getArray().toFloatArray()));
        return Ref.flat(Ref.linear(h, weight1, b1.getArray().toFloatArray()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nf4", "nf4-dq", "int8"})
    void forwardIsDequantisedBaseLinearPlusLora(String quantization) {
        float[][] q0 = dequantized(matrix(w0), quantization);
        float[][] q1 = dequantized(matrix(w1), quantization);
        AdaptedModel am = AdaptedModel.inject(mlp, cfg(quantization).init(false).build());
        Map<String, AdapterParam> p = am.trainableParameterMap();
        double s = 8.0 / 4;
        float[][] d0 = Ref.matmul(matrix(p.get("lin0.lora_B.default.weight").parameter()),
                matrix(p.get("lin0.lora_A.default.weight").parameter()));
        float[][] d1 = Ref.matmul(matrix(p.get("lin1.lora_B.default.weight").parameter()),
                matrix(p.get("lin1.lora_A.default.weight").parameter()));
        float[] expected = reference(Ref.add(q0, d0, s), Ref.add(q1, d1, s));
        float[] got = Toy.run(am.block(), x).toFloatArray();
        assertTrue(Toy.maxDiff(got, expected) < 1e-4, "max diff " + Toy.maxDiff(got, expected));
        assertEquals("qlora", am.layers().get(0).variant());
        assertEquals(Quantization.parse(quantization).key(),
                ((QLoraLayer) am.layerAdapter("lin0", "default")).storage().format().replace("+", "-")
                        .replace("int8-rowwise", "int8"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nf4", "nf4-dq", "int8"})
    void noOpAtInitAgainstTheDequantisedBase(String quantization) {
        float[] plain = Toy.run(mlp, x).toFloatArray();
        float[] dequantBase = reference(dequantized(matrix(w0), quantization),
                dequantized(matrix(w1), quantization));
        AdaptedModel am = AdaptedModel.inject(mlp, cfg(quantization).build());
        float[] got = Toy.run(am.block(), x).toFloatArray();
        assertTrue(Toy.allClose(got, dequantBase, 1e-5, 1e-6), "diff " + Toy.maxDiff(got, dequantBase));
        try (AdapterScope off = am.disable()) {
            float[] disabled = Toy.run(am.block(), x).toFloatArray();
            assertTrue(Toy.allClose(disabled, dequantBase, 1e-5, 1e-6), "disabled = quantised base");
        }
        // and quantisation did change the model (otherwise this test could not fail)
        assertTrue(Toy.maxDiff(plain, dequantBase) > 1e-4);
    }

    @Test
    void onlyAdapterParamsMoveAndTheStorageStaysPut() {
        Model model = Model.newInstance("qlora");
        model.setBlock(mlp);
        AdaptedModel am = AdaptedModel.inject(model, cfg("nf4-dq").build());
        QLoraLayer l0 = (QLoraLayer) am.layerAdapter("lin0", "default");
        QuantizedWeight stored = l0.storage();
        Map<Parameter, float[]> before = new IdentityHashMap<>();
        for (Pair<String, Parameter> p : am.block().getParameters()) {
            before.put(p.getValue(), p.getValue().getArray().toFloatArray());
        }
        // the quantised base weights hold no fp32 values: their Parameters are read through the model
        before.put(w0, Ref.flat(am.baseWeight("lin0")));
        before.put(w1, Ref.flat(am.baseWeight("lin1")));
        Loss sum = new Loss("sum") {
            @Override
            public NDArray evaluate(NDList labels, NDList predictions) {
                return predictions.head().sum();
            }
        };
        DefaultTrainingConfig tc = new DefaultTrainingConfig(sum)
                .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.5f)).build());
        try (Trainer trainer = am.newTrainer(tc)) {
            for (int i = 0; i < 3; i++) {
                try (GradientCollector gc = trainer.newGradientCollector()) {
                    NDArray out = trainer.forward(new NDList(x)).head();
                    gc.backward(out.sum());
                }
                trainer.step();
            }
        }
        IdentityHashMap<Parameter, Boolean> adapter = new IdentityHashMap<>();
        am.trainableParameterMap().values().forEach(p -> adapter.put(p.parameter(), true));
        assertEquals(4, adapter.size());
        int moved = 0;
        for (Pair<String, Parameter> p : am.block().getParameters()) {
            Parameter q = p.getValue();
            float[] now = q == w0 ? Ref.flat(am.baseWeight("lin0")) : q == w1 ? Ref.flat(am.baseWeight("lin1"))
                    : q.getArray().toFloatArray();
            double d = Toy.maxDiff(now, before.get(q));
            if (adapter.containsKey(p.getValue())) {
                assertTrue(d > 1e-4, p.getKey() + " should move, moved " + d);
                moved++;
            } else {
                assertTrue(d < 1e-4, p.getKey() + " should stay, moved " + d);
            }
        }
        assertEquals(4, moved);
        assertSame(stored, l0.storage(), "training does not touch the quantised storage");
        assertArrayEquals(stored.dequantize(), Ref.flat(am.baseWeight("lin0")));
        model.close();
    }

    @Test
    void storedBaseMemoryThroughTheModel() {
        for (String q : new String[] {"nf4", "nf4-dq", "int8"}) {
            WideMlp fresh = WideMlp.create(m, 11);
            AdaptedModel am = AdaptedModel.inject(fresh, cfg(q).build());
            MemoryReport r = QLoraReport.memory(am, "default");
            long values = (long) WideMlp.IN * WideMlp.HIDDEN + (long) WideMlp.HIDDEN * WideMlp.OUT;
            assertEquals(values, r.numel());
            System.out.println("QLoRA memory through the model: " + r);
            if (q.startsWith("nf4")) {
                assertTrue(r.ratio() <= 0.30, q + " ratio " + r.ratio());
            } else {
                assertTrue(r.ratio() <= 0.27, q + " ratio " + r.ratio());
            }
        }
        WideMlp b = WideMlp.create(m, 11);
        AdaptedModel nf4Model = AdaptedModel.inject(b, cfg("nf4").build());
        long nf4 = QLoraReport.memory(nf4Model, "default").storedBytes();
        tech.tablesaw.api.Table table = QLoraReport.table(nf4Model, "default");
        assertEquals(List.of("lin0", "lin1"), table.stringColumn("layer").asList());
        assertEquals(nf4, (long) table.longColumn("stored_bytes").sum());
        assertTrue(table.doubleColumn("merge_drift").isMissing(0), "no merge yet");
        // per layer: packed codes n/2, one fp32 absmax per block of 64, the 16-entry fp32 code table
        long lin0 = 64 * 128 / 2 + 4 * (64 * 128 / 64) + 64;
        long lin1 = 128 * 8 / 2 + 4 * (128 * 8 / 64) + 64;
        assertEquals(lin0 + lin1, nf4);
    }

    /** One ViT-B sized projection (768 x 768) behind a block field named "query". */
    static final class Attention extends ai.djl.nn.AbstractBlock {
        final ai.djl.nn.Block query;

        Attention() {
            query = addChildBlock("query", ai.djl.nn.core.Linear.builder().setUnits(768).build());
        }

        @Override
        protected NDList forwardInternal(ai.djl.training.ParameterStore ps, NDList in, boolean training,
                ai.djl.util.PairList<String, Object> params) {
            return query.forward(ps, in, training, params);
        }

        @Override
        public ai.djl.ndarray.types.Shape[] getOutputShapes(ai.djl.ndarray.types.Shape[] in) {
            return new ai.djl.ndarray.types.Shape[] {new ai.djl.ndarray.types.Shape(in[0].get(0), 768)};
        }

        @Override
        protected void initializeChildBlocks(NDManager mm, ai.djl.ndarray.types.DataType t,
                ai.djl.ndarray.types.Shape... in) {
            query.initialize(mm, t, in);
        }
    }

    @Test
    void doubleQuantisationPaysOffOnAViTSizedLayer() {
        double[] ratios = new double[3];
        String[] formats = {"nf4", "nf4-dq", "int8"};
        for (int i = 0; i < 3; i++) {
            Attention att = new Attention();
            att.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new ai.djl.ndarray.types.Shape(2, 768));
            AdaptedModel am = AdaptedModel.inject(att, AdapterConfig.builder().variant("qlora")
                    .option("quantization", formats[i]).r(16).alpha(16).targetModules("query").build());
            MemoryReport r = QLoraReport.memory(am, "default");
            ratios[i] = r.ratio();
            System.out.printf("QLoRA 768x768 base: %s%n", r);
        }
        // 4 bits + 32/64 bits of absmax = 4.5 bits; with DQ 4 + 8/64 + 32/(64*256) bits plus the tables
        assertEquals(4.5 / 32, ratios[0], 1e-3);
        assertTrue(ratios[1] < ratios[0] && ratios[1] < 0.13, "nf4-dq " + ratios[1]);
        assertEquals((8 + 32.0 / 768) / 32, ratios[2], 1e-6);
    }

    /** Largest |dequant(Q') - target| allowed per value: half the widest NF4 code gap times the block absmax. */
    private static void assertWithinHalfACodeStep(Nf4Weight q, float[] target, String what) {
        float[] got = q.dequantize();
        float[] absmax = q.blockAbsmax();
        double halfGap = 0;
        float[] code = Nf4.CODE.values();
        for (int i = 0; i + 1 < code.length; i++) {
            halfGap = Math.max(halfGap, (code[i + 1] - code[i]) / 2.0);
        }
        for (int i = 0; i < got.length; i++) {
            double bound = halfGap * absmax[i / q.blockSize()] * (1 + 1e-5) + 1e-7;
            assertTrue(Math.abs(got[i] - target[i]) <= bound,
                    what + " value " + i + ": |" + got[i] + " - " + target[i] + "| > " + bound);
        }
    }

    @Test
    void mergeRequantisesWithBoundedDrift() {
        AdaptedModel am = AdaptedModel.inject(mlp, cfg("nf4").alpha(4).init(false).build());
        QLoraLayer l0 = (QLoraLayer) am.layerAdapter("lin0", "default");
        float[] before = Ref.flat(am.baseWeight("lin0"));
        float[] delta = Ref.flat(am.deltaWeight("lin0", "default"));
        float[] unmergedOut = Toy.run(am.block(), x).toFloatArray();
        am.merge();
        float[] target = before.clone();
        for (int i = 0; i < target.length; i++) {
            target[i] += delta[i];
        }
        assertWithinHalfACodeStep((Nf4Weight) l0.storage(), target, "merge");
        assertArrayEquals(l0.storage().dequantize(), Ref.flat(am.baseWeight("lin0")), "W holds dequant(Q')");
        double mergeDrift = l0.lastMerge().relativeDrift();
        float[] mergedOut = Toy.run(am.block(), x).toFloatArray();
        double outDrift = relative(mergedOut, unmergedOut);
        float[] mergedW = Ref.flat(am.baseWeight("lin0"));
        am.unmerge();
        float[] back = Ref.flat(am.baseWeight("lin0"));
        assertWithinHalfACodeStep((Nf4Weight) l0.storage(), subtract(mergedW, delta), "unmerge");
        double roundTrip = relative(back, before);
        System.out.printf("QLoRA nf4 merge drift: relative ||W'-(Q+dW)||_F = %.4f, logits %.4f; "
                + "merge+unmerge ||W''-Q||_F/||Q||_F = %.4f%n", mergeDrift, outDrift, roundTrip);
        assertTrue(mergeDrift > 0 && mergeDrift < 0.15, "merge drift " + mergeDrift);
        assertTrue(roundTrip < 0.2, "round trip " + roundTrip);
        float[] afterUnmerge = Toy.run(am.block(), x).toFloatArray();
        assertTrue(relative(afterUnmerge, unmergedOut) < 0.2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"nf4", "nf4-dq", "int8"})
    void mergeDriftAgainstTheSizeOfTheUpdate(String quantization) {
        // default init: B = 0, so merging changes nothing but a re-quantisation of dequant(Q)
        AdaptedModel am = AdaptedModel.inject(mlp, cfg(quantization).build());
        QLoraLayer l0 = (QLoraLayer) am.layerAdapter("lin0", "default");
        Parameter b = am.trainableParameterMap().get("lin0.lora_B.default.weight").parameter();
        Parameter a = am.trainableParameterMap().get("lin0.lora_A.default.weight").parameter();
        float[] q = l0.storage().dequantize();
        am.merge();
        double zero = l0.lastMerge().relativeDrift();
        if (quantization.equals("nf4")) {
            assertEquals(0.0, zero, "re-quantising dequant(Q) gives Q back");
            assertArrayEquals(q, l0.storage().dequantize());
        } else {
            assertTrue(zero < 1e-3, quantization + " zero-update drift " + zero);
        }
        am.unmerge();
        StringBuilder line = new StringBuilder("QLoRA " + quantization + " merge drift by ||dW||/||W||:");
        double wNorm = norm(q);
        float[] bRandom = new float[(int) b.getArray().size()];
        java.util.Random rnd = new java.util.Random(2);
        for (int i = 0; i < bRandom.length; i++) {
            bRandom[i] = (float) rnd.nextGaussian();
        }
        for (double target : new double[] {1e-3, 1e-2, 1e-1}) {
            b.getArray().set(bRandom);
            double d = norm(Ref.flat(am.deltaWeight("lin0", "default")));
            float[] scaled = bRandom.clone();
            for (int i = 0; i < scaled.length; i++) {
                scaled[i] *= (float) (target * wNorm / d);
            }
            b.getArray().set(scaled);
            am.merge();
            line.append(String.format(" %.0e -> %.4f", target, l0.lastMerge().relativeDrift()));
            assertTrue(l0.lastMerge().relativeDrift() < (quantization.equals("int8") ? 0.01 : 0.15));
            am.unmerge();
        }
        assertNotNull(a);
        System.out.println(line);
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float f : v) {
            s += (double) f * f;
        }
        return Math.sqrt(s);
    }

    @Test
    void twoAdaptersMergeOnTopOfEachOther() {
        AdaptedModel am = AdaptedModel.inject(mlp, cfg("nf4").init(false).build());
        am.addAdapter("second", cfg("nf4").init(false).seed(9).build());
        am.setActive("default", "second");
        float[] before = Ref.flat(am.baseWeight("lin0"));
        float[] d1 = Ref.flat(am.deltaWeight("lin0", "default"));
        float[] d2 = Ref.flat(am.deltaWeight("lin0", "second"));
        am.merge();
        float[] merged = Ref.flat(am.baseWeight("lin0"));
        float[] target = before.clone();
        for (int i = 0; i < target.length; i++) {
            target[i] += d1[i] + d2[i];
        }
        // both updates are in W (two re-quantisations: within two half code steps of the block absmax)
        assertTrue(relative(merged, target) < 0.2, "relative " + relative(merged, target));
        assertTrue(relative(merged, target) < relative(merged, subtract(target, d1)));
        assertTrue(relative(merged, target) < relative(merged, subtract(target, d2)));
    }

    @Test
    void loftqQloraReloadsOntoTheSavedQuantisedBase(@TempDir Path dir) throws Exception {
        AdaptedModel am = AdaptedModel.inject(mlp, cfg("nf4").init("loftq")
                .option("loftq_config", Map.of("loftq_bits", 4, "loftq_iter", 2)).build());
        float[] out = Toy.run(am.block(), x).toFloatArray();
        am.save(dir, "default");
        // PEFT's flow: the base saved after LoftQ holds dequant(Q)
        WideMlp twin = WideMlp.create(m, 11);
        twin.weight(twin.lin0).getArray().set(Ref.flat(am.baseWeight("lin0")));
        twin.weight(twin.lin1).getArray().set(Ref.flat(am.baseWeight("lin1")));
        AdaptedModel loaded = AdaptedModel.of(twin);
        loaded.load(dir, "default");
        float[] again = Toy.run(loaded.block(), x).toFloatArray();
        assertTrue(Toy.allClose(again, out, 1e-5, 1e-6), "diff " + Toy.maxDiff(again, out));
        assertArrayEquals(((QLoraLayer) am.layerAdapter("lin0", "default")).storage().dequantize(),
                ((QLoraLayer) loaded.layerAdapter("lin0", "default")).storage().dequantize());
    }

    @Test
    void int8MergeDriftIsBelowHalfAStepPerRow() {
        AdaptedModel am = AdaptedModel.inject(mlp, cfg("int8").alpha(4).init(false).build());
        QLoraLayer l0 = (QLoraLayer) am.layerAdapter("lin0", "default");
        float[] before = Ref.flat(am.baseWeight("lin0"));
        float[] delta = Ref.flat(am.deltaWeight("lin0", "default"));
        am.merge(true);
        float[] got = Ref.flat(am.baseWeight("lin0"));
        float[] rowmax = ((org.loralab.lora.quant.Int8RowwiseWeight) l0.storage()).rowAbsmax();
        for (int i = 0; i < got.length; i++) {
            double target = before[i] + delta[i];
            double bound = rowmax[i / WideMlp.IN] / 254.0 * (1 + 1e-5) + 1e-7;
            assertTrue(Math.abs(got[i] - target) <= bound, "value " + i);
        }
        System.out.printf("QLoRA int8 merge drift: relative %.5f%n", l0.lastMerge().relativeDrift());
        assertTrue(l0.lastMerge().relativeDrift() < 0.01);
    }

    @Test
    void saveLoadRoundTripInPeftLayout(@TempDir Path dir) throws Exception {
        WideMlp twin = WideMlp.create(m, 11);
        AdaptedModel am = AdaptedModel.inject(mlp, cfg("nf4-dq").init(false).build());
        float[] out = Toy.run(am.block(), x).toFloatArray();
        am.save(dir, "default");
        String json = Files.readString(dir.resolve("adapter_config.json"));
        assertTrue(json.contains("\"peft_type\": \"LORA\""), json);
        assertTrue(json.contains("\"quantization\": \"nf4-dq\""), json);
        AdaptedModel loaded = AdaptedModel.of(twin);
        loaded.load(dir, "default");
        assertEquals("qlora", loaded.config("default").variant());
        assertTrue(loaded.adapterTensors("default").containsKey("base_model.model.lin0.lora_A.weight"));
        float[] again = Toy.run(loaded.block(), x).toFloatArray();
        assertTrue(Toy.allClose(again, out, 1e-5, 1e-6), "diff " + Toy.maxDiff(again, out));
    }

    @Test
    void badOptionsSayWhatToDo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdaptedModel.inject(mlp, cfg("fp8").build()));
        assertTrue(e.getMessage().contains("nf4, nf4-dq, fp4, fp4-dq or int8"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AdaptedModel.inject(mlp, cfg("fp4").init("loftq")
                .option("loftq_config", Map.of("loftq_bits", 4)).build()));
        assertTrue(e.getMessage().contains("LoftQ quantises with NF4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> AdaptedModel.inject(mlp, cfg("nf4").option("quant_block_size", 48).build()));
        assertTrue(e.getMessage().contains("power of two"), e.getMessage());
        // nothing was injected by the failed calls
        assertFalse(mlp.lin0.getClass().getSimpleName().contains("Adapter"));
        WideMlp same = WideMlp.create(m, 11);
        assertEquals(0, Toy.maxDiff(w0.getArray().toFloatArray(),
                same.weight(same.lin0).getArray().toFloatArray()));
    }

    private static float[] subtract(float[] a, float[] b) {
        float[] y = a.clone();
        for (int i = 0; i < y.length; i++) {
            y[i] -= b[i];
        }
        return y;
    }

    private static double relative(float[] a, float[] b) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            num += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
            den += (double) b[i] * b[i];
        }
        return Math.sqrt(num / den);
    }
}
