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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.models.Mlp;
import org.loralab.lora.models.Vit;
import org.loralab.lora.quant.MemoryReport;
import org.loralab.lora.variant.qlora.QLoraReport;

/**
 * QLoRA's run-time cost and saving (issue #6; see bench/lora/README.md, run through bench/lora/run-qlora.sh).
 * Same ViT and Linear stack, LoRA placement, batch and optimizer as {@link LoraBench}; for each, fp32 LoRA
 * against QLoRA with the base stored as nf4, nf4-dq and int8 (dequantised per forward). Prints
 * {@code RESULT <name> <ms>} lines and the QLoRA / LoRA ratios. Then the process's resident set (VmRSS) of a
 * larger Linear stack before and after injecting NF4 QLoRA and after a training step.
 *
 * <p>Usage: {@code QLoraBench [steps] [warmup]}
 */
public final class QLoraBench {
    private static final String[] KINDS = {"lora", "nf4", "nf4-dq", "int8"};

    private QLoraBench() {}

    public static void main(String[] args) throws Exception {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        System.out.println("# engine " + Engine.getInstance().getEngineName() + " "
                + Engine.getInstance().getVersion() + ", device " + Engine.getInstance().defaultDevice());
        int rounds = Integer.getInteger("bench.rounds", 2);
        String only = System.getProperty("bench.only", "");
        try (NDManager root = NDManager.newBaseManager()) {
            Supplier<Block> vit = () -> Vit.builder().setImageSize(32).setPatchSize(4).setChannels(3)
                    .setHiddenSize(128).setLayers(4).setHeads(4).setMlpDim(512).setClasses(10).build();
            AdapterConfig.Builder vitLora = AdapterConfig.builder().r(8).alpha(16).targetModules("query", "value")
                    .modulesToSave("classifier").seed(0);
            Supplier<Block> mlp = () -> stack(512, 4);
            AdapterConfig.Builder mlpLora = AdapterConfig.builder().r(8).alpha(16).targetModulesRegex("lin\\d+").seed(0);
            if (!only.equals("rss")) {
                compare(root, "vit", vit, new Shape(32, 3, 32, 32), vitLora, steps, warmup, rounds);
                compare(root, "mlp", mlp, new Shape(64, 512), mlpLora, steps, warmup, rounds);
            }
            if (!only.equals("time")) {
                residentSet(root, false); // warm-up: the allocator's and JIT's first-use costs
                residentSet(root, true);
            }
        }
    }

    private static Block stack(int width, int layers) {
        Mlp.Builder b = Mlp.builder().setOutputs(10);
        for (int i = 0; i < layers; i++) {
            b.addHidden(width);
        }
        return b.build();
    }

    /** Each kind once per round, rounds interleaved (the machine's load drifts); the best of the rounds counts. */
    private static void compare(NDManager root, String name, Supplier<Block> factory, Shape in,
            AdapterConfig.Builder config, int steps, int warmup, int rounds) {
        Map<String, double[]> ms = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (String kind : KINDS) {
                double[] t = time(root, name, kind, factory, in, config, steps, warmup);
                ms.merge(kind, t, (a, b) -> new double[] {Math.min(a[0], b[0]), Math.min(a[1], b[1])});
            }
        }
        ratios(name, ms);
    }

    private static double[] time(NDManager root, String name, String kind, Supplier<Block> factory, Shape in,
            AdapterConfig.Builder config, int steps, int warmup) {
        try (NDManager m = root.newSubManager()) {
            Block block = factory.get();
            block.initialize(m, DataType.FLOAT32, in);
            block.freezeParameters(true);
            AdapterConfig c = kind.equals("lora") ? config.build()
                    : config.build().toBuilder().variant("qlora").option("quantization", kind).build();
            AdaptedModel am = AdaptedModel.inject(block, c);
            float[] x = gaussian((int) in.size(), 0);
            float[] labels = new float[(int) in.get(0)];
            Random rnd = new Random(1);
            for (int i = 0; i < labels.length; i++) {
                labels[i] = rnd.nextInt(10);
            }
            double train = LoraBench.trainMs(m, am, x, labels, in, steps, warmup);
            double fwd = LoraBench.forwardMs(m, am.block(), x, in, steps, warmup);
            System.out.printf("RESULT djl_%s_%s_fwd_ms %.3f%nRESULT djl_%s_%s_train_ms %.3f%n", name, kind, fwd,
                    name, kind, train);
            if (!kind.equals("lora")) {
                MemoryReport r = QLoraReport.resident(am, "default");
                System.out.printf("# %s %s: quantised base weights %d values, resident %d bytes = %.4fx fp32%n",
                        name, kind, r.numel(), r.storedBytes(), r.ratio());
            }
            return new double[] {fwd, train};
        }
    }

    private static void ratios(String name, Map<String, double[]> ms) {
        double[] lora = ms.get("lora");
        for (String kind : KINDS) {
            if (!kind.equals("lora")) {
                double[] q = ms.get(kind);
                System.out.printf("RATIO %s %-6s / fp32 LoRA: forward %.2fx (%.2f vs %.2f ms), training step %.2fx "
                        + "(%.2f vs %.2f ms)%n", name, kind, q[0] / lora[0], q[0], lora[0], q[1] / lora[1], q[1], lora[1]);
            }
        }
    }

    /** VmRSS of a 1024 → 2048 x4 → 10 stack: fp32, after NF4 QLoRA injection, after a training step. */
    private static void residentSet(NDManager root, boolean print) throws Exception {
        try (NDManager m = root.newSubManager()) {
            Shape in = new Shape(32, 1024);
            Block block = stack(2048, 4);
            block.initialize(m, DataType.FLOAT32, in);
            block.freezeParameters(true);
            long fp32 = 0;
            for (var p : block.getParameters()) {
                if (p.getKey().endsWith("weight")) {
                    fp32 += 4 * p.getValue().getArray().size();
                }
            }
            long before = rssKb();
            AdaptedModel am = AdaptedModel.inject(block, AdapterConfig.builder().variant("qlora")
                    .option("quantization", "nf4").r(8).alpha(16).targetModulesRegex("lin\\d+").seed(0).build());
            long injected = rssKb();
            ParameterStore ps = new ParameterStore(m, false);
            try (NDManager batch = m.newSubManager()) {
                NDArray x = batch.create(gaussian((int) in.size(), 2), in);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(am.block().forward(ps, new NDList(x), true).head().sum());
                }
            }
            long trained = rssKb();
            MemoryReport r = QLoraReport.resident(am, "default");
            if (!print) {
                return;
            }
            System.out.printf("RSS 1024->2048x4 stack: fp32 weights %.1f MB; VmRSS %.1f MB before injection, %.1f MB "
                    + "after NF4 QLoRA (%+.1f MB), %.1f MB after a training step; resident report %.1f MB (%.4fx)%n",
                    fp32 / 1e6, before / 1e3, injected / 1e3, (injected - before) / 1e3, trained / 1e3,
                    r.storedBytes() / 1e6, r.ratio());
        }
    }

    private static long rssKb() throws Exception {
        System.gc();
        Thread.sleep(200);
        if (Boolean.getBoolean("bench.verbose")) {
            Runtime rt = Runtime.getRuntime();
            long direct = 0;
            for (var pool : java.lang.management.ManagementFactory.getPlatformMXBeans(
                    java.lang.management.BufferPoolMXBean.class)) {
                direct += pool.getMemoryUsed();
            }
            System.out.printf("#   heap committed %.1f MB, used %.1f MB, NIO buffers %.1f MB%n", rt.totalMemory() / 1e6,
                    (rt.totalMemory() - rt.freeMemory()) / 1e6, direct / 1e6);
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static float[] gaussian(int n, long seed) {
        Random rnd = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }
}
