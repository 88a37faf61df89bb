package org.loralab.lora.variant.lora;

import org.loralab.lora.testing.ManagedTest;
import static org.junit.jupiter.api.Assertions.*;

import ai.djl.modality.nlp.DefaultVocabulary;
import ai.djl.modality.nlp.embedding.TrainableWordEmbedding;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.testing.Ref;
import org.loralab.lora.testing.Toy;
import org.loralab.lora.variant.AdapterParam;

/** LoRA on Conv2d (k x k conv into r, then 1x1) and Embedding (spec §2.1-2.5). */
class LoraConvEmbeddingTest extends ManagedTest {

    @Test
    void convShapesInitCountAndNoOp() {
        Toy.ConvNet net = Toy.init(new Toy.ConvNet(), m, new Shape(9, 10));
        NDArray x = Toy.mlpInput(m);
        float[] base = Toy.run(net, x).toFloatArray();
        AdaptedModel am = AdaptedModel.inject(net, AdapterConfig.builder().targetModules("conv2d").seed(5).build());
        assertEquals("activation", am.layers().get(0).mechanism());
        assertTrue(net.conv2d instanceof Conv2d && net.conv2d != am.namedBlocks().get("conv2d"), "Conv2d wrapper in the field");
        Map<String, AdapterParam> p = am.trainableParameterMap();
        NDArray a = p.get("conv2d.lora_A.default.weight").parameter().getArray();
        NDArray b = p.get("conv2d.lora_B.default.weight").parameter().getArray();
        assertEquals(new Shape(8, 5, 3, 3), a.getShape());
        assertEquals(new Shape(10, 8, 1, 1), b.getShape());
        assertEquals(8 * 5 * 9 + 10 * 8, am.trainableParameters());
        assertEquals(0f, b.abs().max().getFloat(), "B is exactly zero");
        double bound = 1 / Math.sqrt(45);
        assertTrue(a.abs().max().getFloat() <= bound, "A ~ U(±1/sqrt(fan_in)), fan_in = in*kh*kw");
        assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), base, 1e-5, 1e-8));
    }

    @Test
    void convForwardMatchesFormulaAndMerges() {
        Toy.ConvNet net = Toy.init(new Toy.ConvNet(), m, new Shape(9, 10));
        NDArray x = Toy.mlpInput(m);
        Block conv = net.conv2d;
        float[][] w = Matrices.read(conv.getDirectParameters().get("weight").getArray()); // [10, 45]
        float[] bc = conv.getDirectParameters().get("bias").getArray().toFloatArray();
        float[][] wl = Matrices.read(net.lin0.getDirectParameters().get("weight").getArray());
        float[] bl = net.lin0.getDirectParameters().get("bias").getArray().toFloatArray();
        AdaptedModel am = AdaptedModel.inject(net, AdapterConfig.builder().r(4).alpha(6).targetModules("conv2d")
                .init(false).seed(6).build());
        Map<String, AdapterParam> p = am.trainableParameterMap();
        float[][] a = Matrices.read(p.get("conv2d.lora_A.default.weight").parameter().getArray()); // [4, 45]
        float[][] b = Matrices.read(p.get("conv2d.lora_B.default.weight").parameter().getArray()); // [10, 4]
        // a 3x3 kernel on a 3x3 input without padding is a linear map of the 45 flattened inputs
        float[][] xs = Ref.matrix(x.toFloatArray(), 2, 45);
        float[][] h = Ref.add(Ref.linear(xs, w, bc), Ref.linear(Ref.linear(xs, a, null), b, null), 6.0 / 4);
        float[] expected = Ref.flat(Ref.linear(h, wl, bl));
        float[] got = Toy.run(am.block(), x).toFloatArray();
        assertTrue(Toy.allClose(got, expected, 1e-4, 1e-4), "max diff " + Toy.maxDiff(got, expected));
        float[][] delta = am.deltaWeight("conv2d", "default");
        float[][] ba = Ref.matmul(b, a);
        for (int o = 0; o < 10; o++) {
            for (int i = 0; i < 45; i++) {
                assertEquals(1.5 * ba[o][i], delta[o][i], 1e-5, "dW = s * B @ A");
            }
        }
        am.merge();
        assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), got, 1e-4, 1e-4));
        am.unmerge();
        assertTrue(Toy.maxDiff(Ref.flat(am.baseWeight("conv2d")), Ref.flat(w)) < 1e-6);
    }

    @Test
    void paddedStridedConvMergeEqualsUnmerged() {
        SequentialBlock net = new SequentialBlock()
                .add(Conv2d.builder().setFilters(6).setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1))
                        .optStride(new Shape(2, 2)).build());
        Toy.init(net, m, new Shape(2, 4, 7, 7));
        NDArray x = m.randomNormal(new Shape(2, 4, 7, 7));
        AdaptedModel am = AdaptedModel.inject(net, AdapterConfig.builder().r(2).targetModules("0").init(false).seed(7).build());
        float[] unmerged = Toy.run(am.block(), x).toFloatArray();
        am.merge();
        float[] merged = Toy.run(am.block(), x).toFloatArray();
        assertTrue(Toy.allClose(merged, unmerged, 1e-4, 1e-4), "max diff " + Toy.maxDiff(merged, unmerged));
    }

    @Test
    void conv1dNoOpAndMerge() {
        SequentialBlock net = new SequentialBlock()
                .add(ai.djl.nn.convolutional.Conv1d.builder().setFilters(6).setKernelShape(new Shape(3)).optPadding(new Shape(1)).build());
        Toy.init(net, m, new Shape(2, 4, 9));
        NDArray x = m.randomNormal(new Shape(2, 4, 9));
        float[] base = Toy.run(net, x).toFloatArray();
        AdaptedModel am = AdaptedModel.inject(net, AdapterConfig.builder().r(2).targetModules("0").seed(13).build());
        assertEquals(new Shape(2, 4, 3), am.trainableParameterMap().get("0.lora_A.default.weight").parameter().getArray().getShape());
        assertEquals(new Shape(6, 2, 1), am.trainableParameterMap().get("0.lora_B.default.weight").parameter().getArray().getShape());
        assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), base, 1e-5, 1e-7));
        am.addAdapter("f", AdapterConfig.builder().r(2).targetModules("0").init(false).seed(14).build());
        am.setActive("f");
        float[] unmerged = Toy.run(am.block(), x).toFloatArray();
        am.merge();
        assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), unmerged, 1e-4, 1e-4));
    }

    @Test
    void dilatedConvIsRejectedWithAReason() {
        SequentialBlock net = new SequentialBlock()
                .add(Conv2d.builder().setFilters(2).setKernelShape(new Shape(3, 3)).optDilation(new Shape(2, 2)).build());
        Toy.init(net, m, new Shape(1, 3, 8, 8));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdaptedModel.inject(net, AdapterConfig.builder().targetModules("0").build()));
        assertTrue(e.getMessage().contains("dilat"), e.getMessage());
    }

    @Test
    void halfPrecisionBaseKeepsFp32AdaptersAndMergesOnce() {
        SequentialBlock net = new SequentialBlock().add(ai.djl.nn.core.Linear.builder().setUnits(8).build());
        net.initialize(m, DataType.FLOAT16, new Shape(3, 16));
        NDArray x = m.randomNormal(new Shape(3, 16)).toType(DataType.FLOAT16, false);
        AdaptedModel am = AdaptedModel.inject(net, AdapterConfig.builder().r(4).targetModules("0").init(false).seed(15).build());
        assertEquals(DataType.FLOAT32, am.trainableParameterMap().get("0.lora_A.default.weight").parameter().getArray().getDataType());
        NDArray y = Toy.run(am.block(), x);
        assertEquals(DataType.FLOAT16, y.getDataType(), "output keeps the base dtype");
        float[] unmerged = y.toType(DataType.FLOAT32, false).toFloatArray();
        am.merge();
        float[] merged = Toy.run(am.block(), x).toType(DataType.FLOAT32, false).toFloatArray();
        assertTrue(Toy.allClose(merged, unmerged, 1e-2, 1e-2), "fp16 merge drift, max " + Toy.maxDiff(merged, unmerged));
    }

    @Test
    void groupedConvNeedsDivisibleRankAndCannotMerge() {
        SequentialBlock net = new SequentialBlock()
                .add(Conv2d.builder().setFilters(4).setKernelShape(new Shape(1, 1)).optGroups(2).build());
        Toy.init(net, m, new Shape(1, 4, 3, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdaptedModel.inject(net, AdapterConfig.builder().r(3).targetModules("0").build()));
        assertTrue(e.getMessage().contains("divisible by groups"), e.getMessage());
        assertTrue(net.getChildren().valueAt(0) instanceof Conv2d, "failed injection leaves the tree as it was");
        AdaptedModel am = AdaptedModel.inject(net, AdapterConfig.builder().r(4).targetModules("0").build());
        assertEquals(new Shape(4, 2, 1, 1),
                am.trainableParameterMap().get("0.lora_B.default.weight").parameter().getArray().getShape());
        NDArray x = m.randomNormal(new Shape(1, 4, 3, 3));
        float[] base = Toy.run(net, x).toFloatArray();
        assertTrue(Toy.allClose(Toy.run(am.block(), x).toFloatArray(), base, 1e-5, 1e-6));
        UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class, am::merge);
        assertTrue(u.getMessage().contains("groups=2"), u.getMessage());
    }

    private static final class EmbNet extends ai.djl.nn.AbstractBlock {
        final Block emb;

        EmbNet(int vocab, int dim) {
            List<String> words = new ArrayList<>();
            for (int i = 0; i < vocab; i++) {
                words.add("w" + i);
            }
            emb = addChildBlock("emb", new TrainableWordEmbedding(new DefaultVocabulary(words), dim));
        }

        @Override
        protected ai.djl.ndarray.NDList forwardInternal(ai.djl.training.ParameterStore ps, ai.djl.ndarray.NDList in,
                boolean training, ai.djl.util.PairList<String, Object> params) {
            return emb.forward(ps, in, training, params);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] in) {
            return emb.getOutputShapes(in);
        }

        @Override
        protected void initializeChildBlocks(NDManager mm, DataType t, Shape... in) {
            emb.initialize(mm, t, in);
        }
    }

    @Test
    void embeddingInitForwardMergeAndCount() {
        EmbNet net = Toy.init(new EmbNet(30, 6), m, new Shape(4));
        Parameter wp = net.emb.getDirectParameters().get("embedding");
        int v = (int) wp.getArray().getShape().get(0);
        float[][] w = Matrices.read(wp.getArray());
        NDArray idx = m.create(new int[] {0, 3, 7, 3});
        float[] base = Toy.run(net, idx).toFloatArray();
        AdaptedModel am = AdaptedModel.inject(net, AdapterConfig.builder().r(4).targetModules("emb").seed(8).build());
        Map<String, AdapterParam> p = am.trainableParameterMap();
        NDArray a = p.get("emb.lora_embedding_A.default").parameter().getArray();
        NDArray b = p.get("emb.lora_embedding_B.default").parameter().getArray();
        assertEquals(new Shape(4, v), a.getShape());
        assertEquals(new Shape(6, 4), b.getShape());
        assertEquals(0f, a.abs().max().getFloat(), "embedding A is exactly zero");
        assertTrue(b.abs().max().getFloat() > 0);
        assertEquals(4L * (v + 6), am.trainableParameters());
        assertTrue(Toy.allClose(Toy.run(am.block(), idx).toFloatArray(), base, 1e-5, 1e-8));

        am.deleteAdapter("default");
        am.addAdapter("f", AdapterConfig.builder().r(4).alpha(2).targetModules("emb").init(false).seed(9).build());
        am.setActive("f");
        p = am.trainableParameterMap();
        float[][] af = Matrices.read(p.get("emb.lora_embedding_A.f").parameter().getArray()); // [r, V]
        float[][] bf = Matrices.read(p.get("emb.lora_embedding_B.f").parameter().getArray()); // [d, r]
        float[] got = Toy.run(am.block(), idx).toFloatArray();
        int[] ids = {0, 3, 7, 3};
        for (int n = 0; n < 4; n++) {
            for (int j = 0; j < 6; j++) {
                double s = 0;
                for (int k = 0; k < 4; k++) {
                    s += af[k][ids[n]] * bf[j][k];
                }
                assertEquals(w[ids[n]][j] + 0.5 * s, got[n * 6 + j], 1e-5, "y = Emb(x;W) + s * Emb(x;A^T) B^T");
            }
        }
        am.merge();
        assertTrue(Toy.allClose(Toy.run(am.block(), idx).toFloatArray(), got, 1e-4, 1e-4));
        am.unmerge();
        assertTrue(Toy.maxDiff(Ref.flat(am.baseWeight("emb")), Ref.flat(w)) < 1e-6);
    }

    @Test
    void initStatistics() {
        SequentialBlock net = new SequentialBlock().add(ai.djl.nn.core.Linear.builder().setUnits(1000).build());
        Toy.init(net, m, new Shape(1, 1000));
        AdaptedModel am = AdaptedModel.inject(net, AdapterConfig.builder().r(8).targetModules("0").seed(10).build());
        float[] a = am.trainableParameterMap().get("0.lora_A.default.weight").parameter().getArray().toFloatArray();
        double bound = 1 / Math.sqrt(1000);
        double dUniform = Ref.ks(a, t -> Math.min(1, Math.max(0, (t + bound) / (2 * bound))));
        assertTrue(dUniform < 0.02, "kaiming A is uniform on ±1/sqrt(in); KS D = " + dUniform);
        double sd = bound / Math.sqrt(3);
        double dNormal = Ref.ks(a, t -> Ref.normalCdf(t / sd));
        assertTrue(dNormal > 0.03, "and clearly not normal; KS D = " + dNormal);

        am.addAdapter("g", AdapterConfig.builder().r(8).targetModules("0").init("gaussian").seed(11).build());
        float[] g = am.adapterTensors("g").get("base_model.model.0.lora_A.weight").parameter().getArray().toFloatArray();
        double dGauss = Ref.ks(g, t -> Ref.normalCdf(t * 8));
        assertTrue(dGauss < 0.02, "gaussian A ~ N(0, 1/r) with std 1/r; KS D = " + dGauss);
        float[] gb = am.adapterTensors("g").get("base_model.model.0.lora_B.weight").parameter().getArray().toFloatArray();
        for (float v : gb) {
            assertEquals(0f, v);
        }
        am.addAdapter("n", AdapterConfig.builder().r(8).targetModules("0").init(false).seed(12).build());
        float[] nb = am.adapterTensors("n").get("base_model.model.0.lora_B.weight").parameter().getArray().toFloatArray();
        double maxB = 0;
        for (float v : nb) {
            maxB = Math.max(maxB, Math.abs(v));
        }
        assertTrue(maxB > 0.1 && maxB <= 1 / Math.sqrt(8), "init=false: B ~ U(±1/sqrt(r)), max " + maxB);
    }
}
