package org.loralab.lora.variant.mora;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.inject.AdapterScope;
import org.loralab.lora.io.AdapterConfigJson;
import org.loralab.lora.testing.Toy;
import org.loralab.lora.variant.lora.Matrices;
import org.loralab.lora.variant.lycoris.VariantChecks;

/** MoRA (spec §17): square size, the reference's operators (types 1, 2, 3, 4, 6), merge via ΔW, test matrix. */
class MoraTest {
    private static final int[] TYPES = {1, 2, 3, 4, 6};
    private NDManager m;
    private NDArray x;

    @BeforeEach
    void setUp() {
        m = NDManager.newBaseManager();
        x = Toy.mlpInput(m).div(90f);
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    private Toy.Mlp mlp() {
        return Toy.init(new Toy.Mlp(), m, new Shape(9, 10));
    }

    private static AdapterConfig.Builder cfg(int type) {
        return AdapterConfig.builder().variant("mora").r(8).targetModules("lin0", "lin1").option("mora_type", type).seed(0);
    }

    @Test
    void squareSizeAndCounts() {
        assertEquals(15, MoraOperators.squareSize(10, 20, 8, 1));
        assertEquals(14, MoraOperators.squareSize(10, 20, 8, 6));
        assertEquals(111, MoraOperators.squareSize(768, 768, 8, 1), "sqrt(1536*8)=110.85 -> 111");
        assertEquals(110, MoraOperators.squareSize(768, 768, 8, 6));
        AdaptedModel am = AdaptedModel.inject(mlp(), cfg(1).build());
        assertEquals(15 * 15 + 13 * 13, am.trainableParameters());
        assertEquals(1.0, am.layers().get(0).scaling());
        assertEquals(15, am.layers().get(0).r());
        for (int type : TYPES) {
            // lin0 10->20 and lin1 20->2 at r 8: r̂ 15 and 13 (14 and 12 for type 6)
            int expected = type == 6 ? 14 * 14 + 12 * 12 : 15 * 15 + 13 * 13;
            assertEquals(expected, AdaptedModel.inject(mlp(), cfg(type).build()).trainableParameters(), "type " + type);
        }
    }

    @Test
    void noOpAtInitAllTypes() {
        for (int type : TYPES) {
            VariantChecks.noOpAtInit(mlp(), x, cfg(type).build());
        }
    }

    /** The adapter's contribution equals a literal port of the reference _apply_mora, types 1 and 6. */
    @Test
    void forwardMatchesReferenceCode() {
        for (int type : new int[] {1, 6}) {
            for (int[] io : new int[][] {{10, 20}, {20, 2}, {12, 7}}) {
                int in = io[0];
                int out = io[1];
                Linear lin = Linear.builder().setUnits(out).build();
                SequentialBlock root = new SequentialBlock().add(lin);
                root.initialize(m, DataType.FLOAT32, new Shape(3, in));
                NDArray xi = m.randomNormal(new Shape(3, in));
                AdaptedModel am = AdaptedModel.inject(root, AdapterConfig.builder().variant("mora").r(4)
                        .targetModulesRegex(".*").option("mora_type", type).init(false).seed(1).build());
                float[] adapted = Toy.run(am.block(), xi).toFloatArray();
                float[] base;
                try (AdapterScope off = am.disable()) {
                    base = Toy.run(am.block(), xi).toFloatArray();
                }
                float[][] mm = Matrices.read(am.trainableParameterMap().values().iterator().next().parameter().getArray());
                float[][] xs = Matrices.read(xi);
                for (int row = 0; row < 3; row++) {
                    float[] ref = reference(xs[row], mm, out, type);
                    for (int o = 0; o < out; o++) {
                        assertEquals(ref[o], adapted[row * out + o] - base[row * out + o], 1e-4,
                                "type " + type + " " + in + "->" + out + " at " + o);
                    }
                }
            }
        }
    }

    /** The reference forward for one input vector (pad with x[:p], RoPE per chunk for type 6). */
    private static float[] reference(float[] x, float[][] mm, int out, int type) {
        int r = mm.length;
        int in = x.length;
        int pad = in % r == 0 ? 0 : r - in % r;
        assertTrue(pad <= in, "the reference needs pad <= in");
        float[] xp = new float[in + pad];
        System.arraycopy(x, 0, xp, 0, in);
        System.arraycopy(x, 0, xp, in, pad);
        int n = xp.length / r;
        float[] res;
        if (type == 1) {
            double[] sum = new double[r];
            for (int i = 0; i < xp.length; i++) {
                sum[i % r] += xp[i];
            }
            double[] y = apply(mm, sum);
            res = new float[out];
            for (int o = 0; o < out; o++) {
                res[o] = (float) y[o % r];
            }
            return res;
        }
        double[] flat = new double[n * r];
        for (int c = 0; c < n; c++) {
            double[] chunk = new double[r];
            for (int k = 0; k < r; k++) {
                double invFreq = 1.0 / Math.pow(10000, (2.0 * (k % (r / 2))) / r);
                double rot = k < r / 2 ? -xp[c * r + k + r / 2] : xp[c * r + k - r / 2];
                chunk[k] = xp[c * r + k] * Math.cos(c * invFreq) + rot * Math.sin(c * invFreq);
            }
            System.arraycopy(apply(mm, chunk), 0, flat, c * r, r);
        }
        res = new float[out];
        for (int o = 0; o < out; o++) {
            res[o] = (float) flat[o % flat.length];
        }
        return res;
    }

    private static double[] apply(float[][] mm, double[] v) {
        double[] y = new double[mm.length];
        for (int i = 0; i < mm.length; i++) {
            for (int j = 0; j < v.length; j++) {
                y[i] += mm[i][j] * v[j];
            }
        }
        return y;
    }

    @Test
    void paddingLongerThanInputWraps() {
        // in 3, out 40, r 3: r̂ = 11 > 2*in; the reference would fail for types 1/4/6, we wrap the padding
        // around x; types 2/3 have empty input groups here
        for (int type : TYPES) {
            Linear lin = Linear.builder().setUnits(40).build();
            SequentialBlock root = new SequentialBlock().add(lin);
            root.initialize(m, DataType.FLOAT32, new Shape(2, 3));
            VariantChecks.mergeUnmergeDisable(root, m.randomNormal(new Shape(2, 3)), AdapterConfig.builder()
                    .variant("mora").r(3).targetModulesRegex(".*").option("mora_type", type).init(false).seed(2).build(),
                    1e-4);
        }
    }

    @Test
    void sequenceInputs() {
        for (int type : TYPES) {
            Linear lin = Linear.builder().setUnits(7).build();
            SequentialBlock root = new SequentialBlock().add(lin);
            root.initialize(m, DataType.FLOAT32, new Shape(2, 3, 12));
            VariantChecks.mergeUnmergeDisable(root, m.randomNormal(new Shape(2, 3, 12)), AdapterConfig.builder()
                    .variant("mora").r(2).targetModulesRegex(".*").option("mora_type", type).init(false).seed(4).build(), 1e-4);
        }
    }

    @Test
    void mergeUnmergeDisableAllTypes() {
        for (int type : TYPES) {
            VariantChecks.mergeUnmergeDisable(mlp(), x, cfg(type).init(false).build(), 1e-4);
        }
    }

    @Test
    void saveLoadRoundTrip(@TempDir Path dir) throws Exception {
        for (int type : TYPES) {
            AdapterConfig ct = cfg(type).init(false).build();
            Set<String> names = VariantChecks.saveLoadRoundTrip(mlp(), x, ct, dir.resolve("type" + type));
            assertEquals(Set.of("lin0.lora_A.weight", "lin1.lora_A.weight"), names);
            assertEquals(type, AdapterConfigJson.fromJson(AdapterConfigJson.toJson(ct)).optionLong("mora_type", 1));
        }
        AdapterConfig c = cfg(6).init(false).build();
        String json = AdapterConfigJson.toJson(c);
        assertTrue(json.contains("\"use_mora\": true") && json.contains("\"mora_type\": 6")
                && json.contains("\"peft_type\": \"LORA\""), json);
        AdapterConfig back = AdapterConfigJson.fromJson(json);
        assertEquals("mora", back.variant());
        assertEquals(6, back.optionLong("mora_type", 1));
        assertEquals("lora", AdapterConfigJson.fromJson(AdapterConfigJson.toJson(AdapterConfig.builder().build())).variant());
    }

    @Test
    void onlyAdapterParamsMove() {
        VariantChecks.onlyAdapterParamsMove(mlp(), x, cfg(1).build(), 0.5f);
        VariantChecks.onlyAdapterParamsMove(mlp(), x, cfg(6).dropout(0.1).build(), 0.5f);
        VariantChecks.onlyAdapterParamsMove(mlp(), x, cfg(2).build(), 0.5f);
    }

    @Test
    void unsupportedTypeFailsClearly() {
        for (int type : new int[] {0, 5, 7}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> AdaptedModel.inject(mlp(), cfg(type).build()));
            assertTrue(e.getMessage().contains("mora_type " + type) && e.getMessage().contains("2, 3, 4 or 6"),
                    e.getMessage());
        }
    }
}
