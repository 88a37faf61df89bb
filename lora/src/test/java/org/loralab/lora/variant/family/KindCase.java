package org.loralab.lora.variant.family;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.modality.nlp.DefaultVocabulary;
import ai.djl.modality.nlp.embedding.TrainableWordEmbedding;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.inject.AdapterScope;
import org.loralab.lora.testing.Toy;
import org.loralab.lora.train.TensorData;

/**
 * A toy net with one layer of a non-Linear kind to adapt, for the family's Conv2d/Embedding tests:
 * "conv2d" is PEFT's Conv2d toy ({@link Toy.ConvNet}: conv2d 5→10, 3×3, then a Linear head), "embedding" a 30×3 table
 * whose rows are the logits of 3 classes.
 *
 * @param path the adapted layer's path
 * @param layer the base layer (its direct parameters are the base tensors)
 * @param x an inference input
 * @param data 36 training examples
 * @param perRank entries of A and B per rank: in·kh·kw + out, or V + d
 */
public record KindCase(String kind, Block net, String path, Block layer, NDArray x, TensorData data, long perRank) {

    /** The case for {@code kind} ("conv2d" or "embedding"), seeded. */
    public static KindCase of(String kind, NDManager m) {
        Random rnd = new Random(11);
        if (kind.equals("conv2d")) {
            Toy.ConvNet net = Toy.init(new Toy.ConvNet(), m, new Shape(9, 10));
            NDArray x = m.create(gaussian(rnd, 4 * 45), new Shape(4, 45));
            float[] f = gaussian(rnd, 36 * 45);
            long[] y = new long[36];
            for (int i = 0; i < 36; i++) {
                y[i] = i % 2;
                for (int j = 0; j < 45; j++) {
                    f[i * 45 + j] += (j < 22) == (y[i] == 0) ? 1f : -1f;
                }
            }
            TensorData d = new TensorData(m.create(f, new Shape(36, 45)), m.create(y));
            return new KindCase(kind, net, "conv2d", net.conv2d, x, d, 45 + 10);
        }
        if (kind.equals("embedding")) {
            EmbNet net = Toy.init(new EmbNet(30, 3), m, new Shape(4));
            NDArray x = m.create(new int[] {0, 3, 7, 3, 29});
            int[] idx = new int[36];
            long[] y = new long[36];
            for (int i = 0; i < 36; i++) {
                idx[i] = (i * 7) % 30;
                y[i] = idx[i] % 3;
            }
            TensorData d = new TensorData(m.create(idx), m.create(y));
            Shape w = net.emb.getDirectParameters().get("embedding").getArray().getShape(); // V may add an unknown token
            return new KindCase(kind, net, "emb", net.emb, x, d, w.get(0) + w.get(1));
        }
        throw new IllegalArgumentException(kind);
    }

    /** A Conv2d 4→6, 3×3, padding 1, stride 2 in a SequentialBlock (path "0") and an input [2, 4, 7, 7]. */
    public static KindCase paddedStridedConv(NDManager m) {
        SequentialBlock net = new SequentialBlock().add(Conv2d.builder().setFilters(6).setKernelShape(new Shape(3, 3))
                .optPadding(new Shape(1, 1)).optStride(new Shape(2, 2)).build());
        Toy.init(net, m, new Shape(2, 4, 7, 7));
        NDArray x = m.create(gaussian(new Random(12), 2 * 4 * 49), new Shape(2, 4, 7, 7));
        return new KindCase("conv2d", net, "0", net.getChildren().valueAt(0), x, null, 4 * 9 + 6);
    }

    private static float[] gaussian(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }

    /** The base layer's tensors (take them before training; injection keeps the same Parameter objects). */
    public Map<String, Parameter> baseParams() {
        return FamilyKit.baseParams(layer);
    }

    /** Inference output of {@code block} on {@link #x}. */
    public float[] run(Block block) {
        return Toy.run(block, x).toFloatArray();
    }

    /**
     * The matrix every variant owes on this kind: the adapter changes the output, disable == base, merged ==
     * unmerged (1e-4), unmerge restores W (1e-5) and the unmerged output, disable == base after unmerge.
     * {@code inject} puts the adapter (its init off) on {@link #net()} and does any variant setup.
     */
    public void assertMergeUnmergeDisable(Function<Block, AdaptedModel> inject) {
        float[] base = run(net);
        Parameter w = baseParams().values().iterator().next();
        float[] wBefore = w.getArray().toFloatArray();
        AdaptedModel am = inject.apply(net);
        float[] unmerged = run(am.block());
        assertTrue(Toy.maxDiff(unmerged, base) > 1e-3, "the adapter changes the output");
        try (AdapterScope off = am.disable()) {
            assertTrue(Toy.allClose(run(am.block()), base, 1e-5, 1e-8), "disable == base");
        }
        am.merge();
        assertTrue(Toy.allClose(run(am.block()), unmerged, 1e-4, 1e-4),
                "merged vs unmerged " + Toy.maxDiff(run(am.block()), unmerged));
        am.unmerge();
        assertTrue(Toy.maxDiff(w.getArray().toFloatArray(), wBefore) < 1e-5, "unmerge restores W");
        assertTrue(Toy.allClose(run(am.block()), unmerged, 1e-5, 1e-5), "unmerged output after merge + unmerge");
        try (AdapterScope off = am.disable()) {
            // W after merge + unmerge is W up to float rounding, hence the absolute tolerance
            assertTrue(Toy.allClose(run(am.block()), base, 1e-5, 1e-5), "disable == base after unmerge");
        }
    }

    /** A vocabulary of V words embedded in d dimensions, held in a Block-typed field so the activation path wraps it. */
    public static final class EmbNet extends AbstractBlock {
        public final Block emb;

        EmbNet(int vocab, int dim) {
            List<String> words = new ArrayList<>();
            for (int i = 0; i < vocab; i++) {
                words.add("w" + i);
            }
            emb = addChildBlock("emb", new TrainableWordEmbedding(new DefaultVocabulary(words), dim));
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList in, boolean training, PairList<String, Object> params) {
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
}
