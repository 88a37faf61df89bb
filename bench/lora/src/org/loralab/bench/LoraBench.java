package org.loralab.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.models.Mlp;
import org.loralab.lora.models.Vit;
import org.loralab.lora.variant.AdapterParam;

/**
 * DJL side of the LoRA benchmark (see bench/lora/README.md; run through bench/lora/run.sh). Same models,
 * shapes, batch, optimizer and LoRA placement as bench_torch.py. Prints {@code RESULT <name> <ms per step>}.
 *
 * <p>Usage: {@code LoraBench [steps] [warmup]}
 */
public final class LoraBench {

    private static final int R = 8;
    private static final double ALPHA = 16;
    private static final int REPEATS = Integer.getInteger("bench.repeats", 2);

    private LoraBench() {}

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        System.out.println("# engine " + Engine.getInstance().getEngineName() + " "
                + Engine.getInstance().getVersion() + ", device " + Engine.getInstance().defaultDevice());
        try (NDManager root = NDManager.newBaseManager()) {
            Shape vitIn = new Shape(32, 3, 32, 32);
            Supplier<Block> vit = () -> Vit.builder().setImageSize(32).setPatchSize(4).setChannels(3)
                    .setHiddenSize(128).setLayers(4).setHeads(4).setMlpDim(512).setClasses(10).build();
            AdapterConfig vitLora = AdapterConfig.builder().r(R).alpha(ALPHA).targetModules("query", "value")
                    .modulesToSave("classifier").seed(0).build();
            run(root, "vit", vit, vitIn, vitLora, steps, warmup);

            Shape mlpIn = new Shape(64, 512);
            Supplier<Block> mlp = () -> {
                Mlp.Builder b = Mlp.builder().setOutputs(10);
                for (int i = 0; i < 4; i++) {
                    b.addHidden(512);
                }
                return b.build();
            };
            AdapterConfig mlpLora = AdapterConfig.builder().r(R).alpha(ALPHA).targetModulesRegex("lin\\d+")
                    .seed(0).build();
            run(root, "mlp", mlp, mlpIn, mlpLora, steps, warmup);
        }
    }

    private static void run(NDManager root, String name, Supplier<Block> factory, Shape inShape,
            AdapterConfig config, int steps, int warmup) {
        try (NDManager m = root.newSubManager()) {
            Block block = factory.get();
            block.initialize(m, DataType.FLOAT32, inShape);
            Random rnd = new Random(0);
            float[] x = new float[(int) inShape.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            float[] labels = new float[(int) inShape.get(0)];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = rnd.nextInt(10);
            }

            // frozen as after injection: DJL's PyTorch engine records autograd for any array that
            // requires a gradient, even outside a GradientCollector, which would slow the base down
            block.freezeParameters(true);
            double baseBefore = forwardMs(m, block, x, inShape, steps, warmup);
            AdaptedModel am = AdaptedModel.inject(block, config);
            Block adapted = am.block();
            double train = trainMs(m, am, x, labels, inShape, steps, warmup);
            double unmerged = forwardMs(m, adapted, x, inShape, steps, warmup);
            am.merge();
            double merged = forwardMs(m, adapted, x, inShape, steps, warmup);
            am.unmerge();
            String summary = am.trainableSummary();
            // the base is timed again at the end (adapters removed): the first timing of a fresh process is
            // the most disturbed one (allocator and JIT warm-up), and base is compared with the best of each
            Block plain = am.unload();
            double base = Math.min(baseBefore, forwardMs(m, plain, x, inShape, steps, warmup));
            System.out.printf("RESULT djl_%s_train_ms %.3f%n", name, train);
            System.out.printf("RESULT djl_%s_fwd_base_ms %.3f%n", name, base);
            System.out.printf("RESULT djl_%s_fwd_unmerged_ms %.3f%n", name, unmerged);
            System.out.printf("RESULT djl_%s_fwd_merged_ms %.3f%n", name, merged);
            System.out.println("# " + name + ": " + summary);
        }
    }

    /**
     * Mean milliseconds per step of the best of {@link #REPEATS} blocks of {@code steps} steps, after
     * {@code warmup} steps: the machine is shared, so the minimum is the least disturbed estimate.
     */
    private static double bestMs(Runnable step, int steps, int warmup) {
        return bestMs(step, steps, warmup, REPEATS);
    }

    static double bestMs(Runnable step, int steps, int warmup, int repeats) {
        for (int i = 0; i < Math.max(warmup, 3); i++) {
            step.run();
        }
        double best = Double.MAX_VALUE;
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                step.run();
            }
            best = Math.min(best, (System.nanoTime() - t0) / 1e6 / steps);
        }
        return best;
    }

    /** Eval-mode forward of one batch, per-step sub-manager. */
    static double forwardMs(NDManager m, Block block, float[] x, Shape shape, int steps, int warmup) {
        ParameterStore ps = new ParameterStore(m, false);
        return bestMs(() -> {
            try (NDManager batch = m.newSubManager()) {
                NDArray in = batch.create(x, shape);
                block.forward(ps, new NDList(in), false).singletonOrThrow().toFloatArray();
            }
        }, steps, warmup, 3 * REPEATS); // forward ratios compare small differences: more samples
    }

    /** Forward + softmax cross-entropy + backward + Adam(1e-3) on the trainable tensors. */
    static double trainMs(NDManager m, AdaptedModel am, float[] x, float[] labels, Shape shape,
            int steps, int warmup) {
        Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build();
        Loss loss = Loss.softmaxCrossEntropyLoss();
        Map<String, AdapterParam> trainable = am.trainableParameterMap();
        ParameterStore ps = new ParameterStore(m, false);
        Block block = am.block();
        return bestMs(() -> {
            try (NDManager batch = m.newSubManager()) {
                NDArray in = batch.create(x, shape);
                NDArray y = batch.create(labels);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray logits = block.forward(ps, new NDList(in), true).singletonOrThrow();
                    gc.backward(loss.evaluate(new NDList(y), new NDList(logits)));
                }
                for (Map.Entry<String, AdapterParam> e : trainable.entrySet()) {
                    NDArray w = e.getValue().parameter().getArray();
                    adam.update(e.getKey(), w, w.getGradient());
                }
            }
        }, steps, warmup);
    }
}
