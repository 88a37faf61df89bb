package org.loralab.lora.variant.qlora;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.testing.Ref;
import org.loralab.lora.testing.Toy;

/** init = "loftq" through an injected model: PEFT's criterion ||W - (Q + s·B·A)||_F <= ||W - Q_plain||_F / 1.03. */
class LoftQWiringTest {
    private static final int RANK = 16;
    private NDManager m;
    private WideMlp mlp;
    private float[] w;

    @BeforeEach
    void setUp() {
        m = NDManager.newBaseManager();
        mlp = WideMlp.create(m, 11);
        Parameter p = mlp.weight(mlp.lin0);
        Random rnd = new Random(7);
        w = new float[(int) p.getArray().size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (rnd.nextGaussian() * 0.02);
        }
        for (int i = 0; i < w.length; i += 997) {
            w[i] *= 8; // outliers, as trained weights have
        }
        p.getArray().set(w);
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    private static AdapterConfig.Builder cfg(String variant, int bits, int iter, double alpha, String mode) {
        AdapterConfig.Builder b = AdapterConfig.builder().variant(variant).r(RANK).alpha(alpha).targetModules("lin0")
                .init("loftq").option("loftq_config", Map.of("loftq_bits", bits, "loftq_iter", iter, "scaling_mode", mode));
        if (variant.equals("qlora")) {
            b.option("quantization", bits == 8 ? "int8" : "nf4");
        }
        return b;
    }

    private static double distance(float[] a, float[] b) {
        double sq = 0;
        for (int i = 0; i < a.length; i++) {
            sq += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
        }
        return Math.sqrt(sq);
    }

    @ParameterizedTest(name = "{0}, {1}-bit, {2} iteration(s), alpha {3}, {4}")
    @CsvSource({
        "lora, 4, 1, 16, ignore",
        "lora, 4, 5, 16, ignore",
        "lora, 8, 1, 16, ignore",
        "lora, 8, 5, 16, ignore",
        "qlora, 4, 1, 16, ignore",
        "qlora, 4, 5, 16, ignore",
        "qlora, 8, 5, 16, ignore",
        "lora, 4, 5, 8, compensate",
        "qlora, 8, 5, 8, compensate",
    })
    void loftqBeatsPlainQuantisationThroughTheModel(String variant, int bits, int iter, double alpha, String mode) {
        AdaptedModel am = AdaptedModel.inject(mlp, cfg(variant, bits, iter, alpha, mode).build());
        float[] q = Ref.flat(am.baseWeight("lin0"));
        float[] effective = Ref.flat(Ref.add(am.baseWeight("lin0"), am.deltaWeight("lin0", "default"), 1));
        Quantization plainFormat = bits == 8 ? Quantization.INT8 : Quantization.NF4;
        float[] plain = plainFormat.quantize(w, new int[] {WideMlp.HIDDEN, WideMlp.IN}, 64).dequantize();
        double factor = distance(w, plain) / distance(w, effective);
        System.out.printf("LoftQ through the model (%s, %d-bit, iter %d, s=%.2f, %s): ||W-Q_plain||=%.5f "
                + "||W-(Q+sBA)||=%.5f factor %.3f%n", variant, bits, iter, alpha / RANK, mode,
                distance(w, plain), distance(w, effective), factor);
        assertTrue(factor >= 1.03, "factor " + factor);
        assertTrue(distance(w, q) > 0, "the base was replaced by its quantised form");
        if (variant.equals("qlora")) {
            QLoraLayer l = (QLoraLayer) am.layerAdapter("lin0", "default");
            assertArrayEquals(l.storage().dequantize(), q, "the stored Q is the one LoftQ chose");
        }
        // only lin0 is targeted: lin1 keeps its weight
        WideMlp fresh = WideMlp.create(m, 11);
        assertEquals(0, Toy.maxDiff(Ref.flat(am.baseWeight("lin1")),
                fresh.weight(fresh.lin1).getArray().toFloatArray()));
    }

    @Test
    void peftIgnoresTheScalingByDefault() {
        // alpha = r/2: the default (PEFT) init reconstructs W with B·A, so Q + s·B·A is off by (1-s)·B·A
        AdaptedModel am = AdaptedModel.inject(mlp, cfg("lora", 4, 1, 8, "ignore").build());
        float[][] q = am.baseWeight("lin0");
        float[][] delta = am.deltaWeight("lin0", "default");
        double withS = distance(w, Ref.flat(Ref.add(q, delta, 1)));
        double withoutS = distance(w, Ref.flat(Ref.add(q, delta, 2)));
        assertTrue(withoutS < withS, "Q + B·A (= Q + 2·s·B·A) is the LoftQ approximation");
    }

    @Test
    void configErrorsSayWhatToDo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdaptedModel.inject(mlp,
                AdapterConfig.builder().r(4).targetModules("lin0").init("loftq").build()));
        assertTrue(e.getMessage().contains("loftq_config"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AdaptedModel.inject(mlp,
                cfg("qlora", 8, 1, 16, "ignore").option("quantization", "nf4").build()));
        assertTrue(e.getMessage().contains("loftq_bits 8"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AdaptedModel.inject(mlp,
                cfg("lora", 3, 1, 16, "ignore").build()));
        assertTrue(e.getMessage().contains("4 (NF4) or 8"), e.getMessage());
        assertArrayEquals(w, mlp.weight(mlp.lin0).getArray().toFloatArray(), "failed injections leave W alone");
    }

    @Test
    void loftqConfigIsSavedForPeft(@TempDir Path dir) throws Exception {
        AdaptedModel am = AdaptedModel.inject(mlp, cfg("lora", 8, 2, 16, "ignore").build());
        am.save(dir, "default");
        String json = Files.readString(dir.resolve("adapter_config.json"));
        assertTrue(json.contains("\"init_lora_weights\": \"loftq\""), json);
        assertTrue(json.contains("\"loftq_bits\": 8"), json);
        assertTrue(json.contains("\"loftq_iter\": 2"), json);
        AdapterConfig back = org.loralab.lora.io.AdapterConfigJson.fromJson(json);
        assertEquals(8, ((Number) ((Map<?, ?>) back.options().get("loftq_config")).get("loftq_bits")).intValue());
    }
}
