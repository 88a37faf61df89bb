package org.loralab.bench.hf;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

import com.sun.management.OperatingSystemMXBean;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.hf.LoadOptions;
import org.loralab.lora.hf.vit.VitImageClassifier;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.variant.AdapterParam;

/**
 * DJL side of the ViT-B/16 LoRA benchmark (bench/hf/vit_b16_train.sh runs it in turn with bench_vit_b16_torch.py;
 * one process is one round). PEFT's image-classification recipe: a ViT-B/16 checkpoint loaded with a new 101-label
 * head ({@link VitImageClassifier#forNewLabels}, transformers' {@code ignore_mismatched_sizes=True}), LoRA r=16
 * alpha=16 on query,value with the classifier in modules_to_save, batch 8 at 224x224, AdamW (lr 1e-3, weight decay
 * 0.01 as torch's default) on the trainable tensors. LoRA dropout is 0, as on the PyTorch side.
 *
 * <p>Prints {@code RESULT <name> <value>}: the load time, the mean training step, and the mean eval forward of the
 * unmerged adapter, the merged adapter and the base model (timed last, after unmerge and unload), each in wall and
 * process-CPU milliseconds.
 *
 * <p>Usage: {@code VitB16TrainBench CHECKPOINT_DIR [steps] [warmup] [forward-steps]}: each timing runs {@code warmup}
 * steps first; training is timed over {@code steps} steps, each eval forward over {@code forward-steps}.
 */
public final class VitB16TrainBench {
    private static final int LABELS = 101;
    private static final int BATCH = 8;
    private static final OperatingSystemMXBean CPU =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private VitB16TrainBench() {}

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int forwardSteps = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        List<String> labels = IntStream.range(0, LABELS).mapToObj(i -> "label_" + i).collect(Collectors.toList());
        long start = System.nanoTime();
        try (VitImageClassifier vit = VitImageClassifier.forNewLabels(dir, labels, LoadOptions.defaults())) {
            result("djl_vit_b16_load_s", (System.nanoTime() - start) / 1e9);
            int image = vit.vitConfig().imageSize();
            Shape shape = new Shape(BATCH, vit.vitConfig().channels(), image, image);
            Random rnd = new Random(0);
            float[] x = new float[Math.toIntExact(shape.size())];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            float[] y = new float[BATCH];
            for (int i = 0; i < y.length; i++) {
                y[i] = rnd.nextInt(LABELS);
            }
            NDManager m = vit.model().getNDManager();
            AdaptedModel am = AdaptedModel.inject(vit.model(), AdapterConfig.builder().r(16).alpha(16)
                    .targetModules("query", "value").bias("none").modulesToSave("classifier").seed(0).build());
            System.out.println("# engine " + Engine.getInstance().getEngineName() + " "
                    + Engine.getInstance().getVersion() + "; " + am.trainableSummary());
            train("djl_vit_b16_train", m, am, x, y, shape, steps, warmup);
            forward("djl_vit_b16_fwd_unmerged", m, am.block(), x, shape, forwardSteps, warmup);
            am.merge();
            forward("djl_vit_b16_fwd_merged", m, am.block(), x, shape, forwardSteps, warmup);
            // the base last, on the frozen plain blocks: the first forward timing of a fresh process came out ~25%
            // slower in CPU time than the same ops later (merged), which would flatter the adapter ratios
            am.unmerge();
            forward("djl_vit_b16_fwd_base", m, am.unload(), x, shape, forwardSteps, warmup);
        }
    }

    private static void result(String name, double value) {
        System.out.printf(Locale.ROOT, "RESULT %s %.1f%n", name, value);
    }

    /**
     * Mean wall milliseconds per step over {@code steps} steps after {@code warmup} steps; prints the process CPU
     * milliseconds per step of the same steps as {@code RESULT <name>_cpu_ms} (on a loaded machine the wall time
     * follows the scheduler, the CPU time much less so).
     */
    private static void meanMs(String name, Runnable step, int steps, int warmup) {
        for (int i = 0; i < warmup; i++) {
            step.run();
        }
        long cpu0 = CPU.getProcessCpuTime();
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            step.run();
        }
        long wall = System.nanoTime() - t0;
        long cpu = CPU.getProcessCpuTime() - cpu0;
        result(name + "_ms", wall / 1e6 / steps);
        result(name + "_cpu_ms", cpu / 1e6 / steps);
    }

    /** Eval-mode forward of the batch, logits read back to the host. */
    private static void forward(String name, NDManager m, Block block, float[] x, Shape shape, int steps,
            int warmup) {
        ParameterStore ps = new ParameterStore(m, false);
        meanMs(name, () -> {
            try (NDManager batch = m.newSubManager()) {
                block.forward(ps, new NDList(batch.create(x, shape)), false).singletonOrThrow().toFloatArray();
            }
        }, steps, warmup);
    }

    /** Forward + softmax cross-entropy + backward + AdamW on the trainable tensors. */
    private static void train(String name, NDManager m, AdaptedModel am, float[] x, float[] y, Shape shape,
            int steps, int warmup) {
        Optimizer adamW = Optimizer.adamW().optLearningRateTracker(Tracker.fixed(1e-3f)).optWeightDecays(0.01f)
                .build();
        Loss loss = Loss.softmaxCrossEntropyLoss();
        Map<String, AdapterParam> trainable = am.trainableParameterMap();
        ParameterStore ps = new ParameterStore(m, false);
        Block block = am.block();
        meanMs(name, () -> {
            try (NDManager batch = m.newSubManager()) {
                NDArray in = batch.create(x, shape);
                NDArray labels = batch.create(y);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray logits = block.forward(ps, new NDList(in), true).singletonOrThrow();
                    gc.backward(loss.evaluate(new NDList(labels), new NDList(logits)));
                }
                for (Map.Entry<String, AdapterParam> e : trainable.entrySet()) {
                    NDArray w = e.getValue().parameter().getArray();
                    adamW.update(e.getKey(), w, w.getGradient());
                }
            }
        }, steps, warmup);
    }
}
