package org.loralab.lora.variant.qlora;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
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
import org.loralab.lora.testing.Ref;
import org.loralab.lora.testing.Toy;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.lora.Matrices;

/**
 * QLoRA's base weight at run time (issue #6): only the quantised storage stays in memory, each forward computes
 * with a transient dequantised W, and everything that reads or writes W (outputs, save/load, unload) sees
 * exactly {@code dequant(Q)}.
 */
class QLoraResidentTest {
    private NDManager m;
    private WideMlp mlp;
    private NDArray x;

    @BeforeEach
    void setUp() {
        m = NDManager.newBaseManager();
        mlp = WideMlp.create(m, 11);
        x = WideMlp.input(m);
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    private static AdapterConfig.Builder cfg(String quantization) {
        return AdapterConfig.builder().variant("qlora").option("quantization", quantization)
                .r(4).alpha(8).targetModules("lin0", "lin1").seed(5);
    }

    private static boolean allNaN(NDArray a) {
        for (float f : a.toFloatArray()) {
            if (!Float.isNaN(f)) {
                return false;
            }
        }
        return true;
    }

    /** A 768x768 projection (ViT-B size) behind "query". */
    private static QLoraTest.Attention attention(NDManager manager, long seed) {
        QLoraTest.Attention att = new QLoraTest.Attention();
        att.initialize(manager, DataType.FLOAT32, new Shape(2, 768));
        Random rnd = new Random(seed);
        for (var p : att.getParameters()) {
            NDArray a = p.getValue().getArray();
            float[] v = new float[(int) a.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (rnd.nextGaussian() * 0.03);
            }
            a.set(v);
        }
        return att;
    }

    @ParameterizedTest
    @ValueSource(strings = {"nf4", "nf4-dq", "fp4", "fp4-dq", "int8"})
    void residentBaseWeightIsTheQuantisedStorageOnly(String quantization) {
        QLoraTest.Attention att = attention(m, 1);
        Parameter w = att.query.getDirectParameters().get("weight");
        float[][] dense = Matrices.read(w.getArray());
        AdaptedModel am = AdaptedModel.inject(att, AdapterConfig.builder().variant("qlora")
                .option("quantization", quantization).r(16).alpha(16).targetModules("query").build());
        QLoraLayer layer = (QLoraLayer) am.layerAdapter("query", "default");
        MemoryReport resident = QLoraReport.resident(am, "default");
        MemoryReport stored = QLoraReport.memory(am, "default");
        System.out.printf("QLoRA 768x768 %s: resident %d bytes = %.4fx fp32 (stored %.4fx)%n", quantization,
                resident.storedBytes(), resident.ratio(), stored.ratio());
        assertEquals(768L * 768, resident.numel());
        assertEquals(stored.storedBytes() + 4, resident.storedBytes(), "storage + the Parameter's one element");
        assertEquals(4L, resident.parts().get("weight parameter"));
        assertTrue(resident.ratio() <= 0.30, quantization + " resident ratio " + resident.ratio());
        // the fp32 values are gone from the Parameter (it views one NaN), the shape and counts are not
        assertTrue(allNaN(w.getArray()), "the Parameter no longer holds W");
        assertEquals(new Shape(768, 768), w.getArray().getShape());
        assertEquals(768L * 768 + 768, am.allParameters() - am.trainableParameters());
        // W is read through the storage
        assertArrayEquals(layer.storage().dequantize(), Ref.flat(am.baseWeight("query")));
        assertTrue(Toy.maxDiff(Ref.flat(dense), Ref.flat(am.baseWeight("query"))) > 0, "W was quantised");
        // the table reports the same resident bytes
        assertEquals(resident.storedBytes(),
                (long) QLoraReport.table(am, "default").longColumn("resident_bytes").sum());
    }

    @Test
    void trainingStepsLeaveNoArraysOnTheModelsManager() {
        try (Model model = Model.newInstance("qlora-resident")) {
            NDManager mm = model.getNDManager();
            QLoraTest.Attention att = attention(mm, 2);
            model.setBlock(att);
            Parameter w = att.query.getDirectParameters().get("weight");
            AdaptedModel am = AdaptedModel.inject(model, AdapterConfig.builder().variant("qlora")
                    .option("quantization", "nf4").r(8).alpha(8).init(false).targetModules("query").build());
            Loss sum = new Loss("sum") {
                @Override
                public NDArray evaluate(NDList labels, NDList predictions) {
                    return predictions.head().sum();
                }
            };
            DefaultTrainingConfig tc = new DefaultTrainingConfig(sum)
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(1e-3f)).build());
            float[] a0 = am.trainableParameterMap().get("query.lora_A.default.weight").parameter().getArray()
                    .toFloatArray();
            try (Trainer trainer = am.newTrainer(tc)) {
                step(trainer, mm); // warm-up: the trainer's own state
                List<NDArray> before = mm.getManagedArrays();
                long bytesBefore = bytes(before);
                for (int i = 0; i < 3; i++) {
                    step(trainer, mm);
                }
                List<NDArray> after = mm.getManagedArrays();
                System.out.printf("QLoRA training: %d arrays / %d logical bytes on the model manager before, "
                        + "%d / %d after 3 steps%n", before.size(), bytesBefore, after.size(), bytes(after));
                assertEquals(before.size(), after.size(), "arrays left on the model's manager by 3 steps");
                assertEquals(bytesBefore, bytes(after));
                int dense = 0;
                for (NDArray a : after) {
                    if (a.getShape().equals(new Shape(768, 768)) && a != w.getArray()) {
                        dense++;
                    }
                }
                assertEquals(0, dense, "no dense 768x768 copy of W stays on the model's manager");
            }
            assertTrue(allNaN(w.getArray()), "W stays released after training");
            float[] a1 = am.trainableParameterMap().get("query.lora_A.default.weight").parameter().getArray()
                    .toFloatArray();
            assertTrue(Toy.maxDiff(a0, a1) > 0, "lora_A trained");
        }
    }

    private static void step(Trainer trainer, NDManager mm) {
        try (NDManager batch = mm.newSubManager()) {
            NDArray in = batch.randomNormal(new Shape(4, 768));
            try (GradientCollector gc = trainer.newGradientCollector()) {
                NDArray out = trainer.forward(new NDList(in)).head();
                gc.backward(out.sum());
            }
            trainer.step();
        }
    }

    private static long bytes(List<NDArray> arrays) {
        long n = 0;
        for (NDArray a : arrays) {
            n += a.size() * a.getDataType().getNumOfBytes();
        }
        return n;
    }

    /** The same forward with plain LoRA on a dense {@code dequant(Q)} base: the quantised path must match bit for bit. */
    @ParameterizedTest
    @ValueSource(strings = {"nf4", "nf4-dq", "fp4", "fp4-dq", "int8"})
    void forwardIsBitIdenticalToADenseDequantisedBase(String quantization) {
        AdaptedModel am = AdaptedModel.inject(mlp, cfg(quantization).init(false).build());
        WideMlp twin = WideMlp.create(m, 11);
        twin.weight(twin.lin0).getArray().set(Ref.flat(am.baseWeight("lin0")));
        twin.weight(twin.lin1).getArray().set(Ref.flat(am.baseWeight("lin1")));
        AdaptedModel dense = AdaptedModel.inject(twin, AdapterConfig.builder().r(4).alpha(8)
                .targetModules("lin0", "lin1").init(false).seed(5).build());
        for (var e : am.trainableParameterMap().entrySet()) {
            AdapterParam d = dense.trainableParameterMap().get(e.getKey());
            d.parameter().getArray().set(e.getValue().parameter().getArray().toFloatArray());
        }
        assertArrayEquals(Toy.run(dense.block(), x).toFloatArray(), Toy.run(am.block(), x).toFloatArray());
        float[] training = am.block().forward(new ParameterStore(m, false), new NDList(x), true).head().toFloatArray();
        float[] denseTraining = dense.block().forward(new ParameterStore(m, false), new NDList(x), true).head()
                .toFloatArray();
        assertArrayEquals(denseTraining, training);
        try (AdapterScope off = am.disable(); AdapterScope off2 = dense.disable()) {
            assertArrayEquals(Toy.run(dense.block(), x).toFloatArray(), Toy.run(am.block(), x).toFloatArray());
        }
    }

    @Test
    void weightPathForwardIsBitIdenticalToADenseDequantisedBase() {
        Toy.TypedMlp typed = Toy.init(new Toy.TypedMlp(), m, new Shape(9, 10));
        Toy.TypedMlp twin = Toy.init(new Toy.TypedMlp(), m, new Shape(9, 10));
        NDArray in = Toy.mlpInput(m);
        AdaptedModel am = AdaptedModel.inject(typed, cfg("nf4").init(false).build());
        assertEquals("weight", am.layers().get(0).mechanism());
        twin.lin0.getDirectParameters().get("weight").getArray().set(Ref.flat(am.baseWeight("lin0")));
        twin.lin1.getDirectParameters().get("weight").getArray().set(Ref.flat(am.baseWeight("lin1")));
        for (String b : new String[] {"lin0", "lin1"}) {
            Block from = b.equals("lin0") ? typed.lin0 : typed.lin1;
            Block to = b.equals("lin0") ? twin.lin0 : twin.lin1;
            to.getDirectParameters().get("bias").getArray().set(from.getDirectParameters().get("bias").getArray()
                    .toFloatArray());
        }
        AdaptedModel dense = AdaptedModel.inject(twin, AdapterConfig.builder().r(4).alpha(8)
                .targetModules("lin0", "lin1").init(false).seed(5).build());
        for (var e : am.trainableParameterMap().entrySet()) {
            dense.trainableParameterMap().get(e.getKey()).parameter().getArray()
                    .set(e.getValue().parameter().getArray().toFloatArray());
        }
        assertArrayEquals(Toy.run(dense.block(), in).toFloatArray(), Toy.run(am.block(), in).toFloatArray());
        try (AdapterScope off = am.disable(); AdapterScope off2 = dense.disable()) {
            assertArrayEquals(Toy.run(dense.block(), in).toFloatArray(), Toy.run(am.block(), in).toFloatArray());
        }
        assertTrue(allNaN(typed.lin0.getDirectParameters().get("weight").getArray()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nf4", "nf4-dq", "int8"})
    void djlModelSaveWritesTheDequantisedWeightsAndLoadRequantises(String quantization, @TempDir Path dir)
            throws Exception {
        float[] out;
        float[] q0;
        try (Model model = Model.newInstance("q")) {
            WideMlp src = WideMlp.create(model.getNDManager(), 11);
            model.setBlock(src);
            Parameter w0 = src.weight(src.lin0);
            AdaptedModel am = AdaptedModel.inject(model, cfg(quantization).init(false).build());
            long resident = QLoraReport.resident(am, "default").storedBytes();
            out = Toy.run(am.block(), x).toFloatArray();
            q0 = Ref.flat(am.baseWeight("lin0"));
            model.save(dir, "q");
            assertTrue(allNaN(w0.getArray()), "released again after the save");
            assertEquals(resident, QLoraReport.resident(am, "default").storedBytes());
            assertArrayEquals(out, Toy.run(am.block(), x).toFloatArray());
        }
        try (Model model = Model.newInstance("q")) {
            WideMlp other = WideMlp.create(model.getNDManager(), 99); // different weights, same structure
            model.setBlock(other);
            Parameter w0 = other.weight(other.lin0);
            AdaptedModel am = AdaptedModel.inject(model, cfg(quantization).build());
            model.load(dir, "q");
            float[] again = Toy.run(am.block(), x).toFloatArray();
            assertTrue(allNaN(w0.getArray()), "the loaded W was quantised and released");
            double wDrift = relative(Ref.flat(am.baseWeight("lin0")), q0);
            double outDrift = relative(again, out);
            System.out.printf("QLoRA %s DJL save/load: reloaded W drift %.2e, logits %.2e%n", quantization, wDrift,
                    outDrift);
            if (quantization.equals("nf4")) {
                // re-quantising dequant(Q) gives Q back exactly
                assertArrayEquals(q0, Ref.flat(am.baseWeight("lin0")));
                assertArrayEquals(out, again);
            } else if (quantization.equals("int8")) {
                // the row scales are re-derived from dequant(Q): float rounding only
                assertTrue(wDrift < 1e-6 && outDrift < 1e-6, "int8 reload drift " + wDrift + ", " + outDrift);
            } else {
                // double quantisation re-derives its 8-bit block constants (new offset = mean of the restored
                // absmax), as bitsandbytes does when it quantises a saved dequantised base again
                assertTrue(wDrift < 1e-2 && outDrift < 1e-2, "nf4-dq reload drift " + wDrift + ", " + outDrift);
            }
        }
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

    @Test
    void unloadAndDeleteGiveTheDenseDequantisedWeightBack(@TempDir Path dir) throws Exception {
        Parameter w0 = mlp.weight(mlp.lin0);
        AdaptedModel am = AdaptedModel.inject(mlp, cfg("nf4").build());
        am.addAdapter("second", cfg("nf4").seed(9).build());
        float[] q0 = Ref.flat(am.baseWeight("lin0"));
        float[] baseOut;
        try (AdapterScope off = am.disable()) {
            baseOut = Toy.run(am.block(), x).toFloatArray();
        }
        am.deleteAdapter("second");
        assertTrue(allNaN(w0.getArray()), "the other QLoRA adapter still holds the base");
        Block base = am.unload();
        assertArrayEquals(q0, w0.getArray().toFloatArray(), "dense dequant(Q) in the Parameter");
        assertArrayEquals(baseOut, Toy.run(base, x).toFloatArray());
        // and it round-trips through DJL like any dense model
        try (Model save = Model.newInstance("base"); Model load = Model.newInstance("base")) {
            save.setBlock(base);
            save.save(dir, "base");
            WideMlp fresh = WideMlp.create(load.getNDManager(), 99);
            load.setBlock(fresh);
            load.load(dir, "base");
            assertArrayEquals(baseOut, Toy.run(fresh, x).toFloatArray());
        }
    }

    @Test
    void aPlainLoraMergedIntoAQuantisedBaseIsRequantised() {
        Parameter w0 = mlp.weight(mlp.lin0);
        AdaptedModel am = AdaptedModel.inject(mlp, cfg("nf4").build());
        am.addAdapter("plain", AdapterConfig.builder().r(4).alpha(8).targetModules("lin0").init(false).seed(3).build());
        am.setActive("plain");
        QLoraLayer q = (QLoraLayer) am.layerAdapter("lin0", "default");
        float[] before = q.storage().dequantize();
        float[] unmerged = Toy.run(am.block(), x).toFloatArray();
        am.merge();
        float[] after = q.storage().dequantize();
        assertFalse(java.util.Arrays.equals(before, after), "the merge went into the quantised storage");
        assertArrayEquals(after, Ref.flat(am.baseWeight("lin0")));
        assertTrue(allNaN(w0.getArray()), "still released");
        float[] merged = Toy.run(am.block(), x).toFloatArray();
        double drift = relative(merged, unmerged);
        System.out.printf("QLoRA base + plain LoRA merged (re-quantised): logits drift %.4f%n", drift);
        assertTrue(drift < 0.2, "merged output near unmerged (NF4 rounding): " + drift);
        am.unmerge();
        assertTrue(allNaN(w0.getArray()));
    }
}
