package org.loralab.lora.train;

import ai.djl.Device;
import ai.djl.training.loss.Loss;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Options for {@link Fit#fit}; fluent setters, validated when set. Defaults suit a small classifier. */
public final class FitOptions {
    private int epochs = 1;
    private long steps;
    private int batchSize = 32;
    private OptimizerKind optimizer = OptimizerKind.ADAMW;
    private double lr = 1e-3;
    private double weightDecay;
    private String schedule = "constant";
    private long warmupSteps;
    private double clipNorm;
    private long seed = 42;
    private boolean shuffle = true;
    private Device[] devices;
    private long checkpointEvery;
    private Path checkpointDir;
    private GroupPolicy groups = GroupPolicy.PLAIN;
    private double loraPlusRatio = Double.NaN;
    private double loraPlusEmbeddingLr = OptimizerGroups.LORAPLUS_EMBEDDING_LR;
    private Loss loss = Loss.softmaxCrossEntropyLoss();
    private boolean nonFiniteGuard = true;
    private final List<FitListener> listeners = new ArrayList<>();
    private final List<StepHook> stepHooks = new ArrayList<>();

    public static FitOptions defaults() {
        return new FitOptions();
    }

    /** An independent copy (listeners and hooks are shared objects, the lists are new). */
    public FitOptions copy() {
        FitOptions c = new FitOptions();
        c.epochs = epochs;
        c.steps = steps;
        c.batchSize = batchSize;
        c.optimizer = optimizer;
        c.lr = lr;
        c.weightDecay = weightDecay;
        c.schedule = schedule;
        c.warmupSteps = warmupSteps;
        c.clipNorm = clipNorm;
        c.seed = seed;
        c.shuffle = shuffle;
        c.devices = devices;
        c.checkpointEvery = checkpointEvery;
        c.checkpointDir = checkpointDir;
        c.groups = groups;
        c.loraPlusRatio = loraPlusRatio;
        c.loraPlusEmbeddingLr = loraPlusEmbeddingLr;
        c.loss = loss;
        c.nonFiniteGuard = nonFiniteGuard;
        c.listeners.addAll(listeners);
        c.stepHooks.addAll(stepHooks);
        return c;
    }

    public FitOptions epochs(int epochs) {
        this.epochs = positive("epochs", epochs);
        return this;
    }

    /** Train this many steps (batches) in total instead of whole epochs; 0 = use epochs. */
    public FitOptions steps(long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0 (0 = use epochs), got " + steps);
        }
        this.steps = steps;
        return this;
    }

    public FitOptions batchSize(int batchSize) {
        this.batchSize = positive("batch size", batchSize);
        return this;
    }

    public FitOptions optimizer(OptimizerKind optimizer) {
        this.optimizer = optimizer;
        return this;
    }

    public FitOptions lr(double lr) {
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("lr must be a positive number, got " + lr);
        }
        this.lr = lr;
        return this;
    }

    public FitOptions weightDecay(double weightDecay) {
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        }
        this.weightDecay = weightDecay;
        return this;
    }

    /**
     * "constant", "cosine" (linear warm-up over {@link #warmupSteps} then cosine decay) or "linear" (linear warm-up
     * then linear decay to 0). Variants with their own optimizer (SoRA's gates) follow the same factor.
     */
    public FitOptions schedule(String schedule) {
        Schedule.parse(schedule, 0); // validates
        this.schedule = schedule;
        return this;
    }

    public FitOptions warmupSteps(long warmupSteps) {
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warmup steps must be >= 0, got " + warmupSteps);
        }
        this.warmupSteps = warmupSteps;
        return this;
    }

    /** Clip the global L2 norm of all trainable gradients to this value; 0 = off. */
    public FitOptions clipNorm(double clipNorm) {
        if (!(clipNorm >= 0)) {
            throw new IllegalArgumentException("clip norm must be >= 0 (0 = off), got " + clipNorm);
        }
        this.clipNorm = clipNorm;
        return this;
    }

    public FitOptions seed(long seed) {
        this.seed = seed;
        return this;
    }

    public FitOptions shuffle(boolean shuffle) {
        this.shuffle = shuffle;
        return this;
    }

    /** Devices to train on; default: the engine's devices (all GPUs if it reports any, else the CPU). */
    public FitOptions devices(Device... devices) {
        this.devices = devices == null || devices.length == 0 ? null : devices.clone();
        return this;
    }

    /** Write all parameters atomically to {@code dir/checkpoint-step-N.params} every {@code every} steps. */
    public FitOptions checkpoints(long every, Path dir) {
        if (every < 0) {
            throw new IllegalArgumentException("checkpoint interval must be >= 0, got " + every);
        }
        if (every > 0 && dir == null) {
            throw new IllegalArgumentException("checkpoints need a directory");
        }
        this.checkpointEvery = every;
        this.checkpointDir = dir;
        return this;
    }

    public FitOptions groups(GroupPolicy groups) {
        this.groups = groups;
        return this;
    }

    /** LoRA+: groups = LORA_PLUS with this ratio (PEFT has no default; 16 is the paper's choice). */
    public FitOptions loraPlus(double ratio) {
        this.groups = GroupPolicy.LORA_PLUS;
        this.loraPlusRatio = ratio;
        return this;
    }

    public FitOptions loraPlusRatio(double ratio) {
        this.loraPlusRatio = ratio;
        return this;
    }

    public FitOptions loraPlusEmbeddingLr(double lr) {
        this.loraPlusEmbeddingLr = lr;
        return this;
    }

    /** LoRA-FA: A frozen, B's gradient preconditioned (needs layer scalings: fit an AdaptedModel). */
    public FitOptions loraFa() {
        this.groups = GroupPolicy.LORA_FA;
        return this;
    }

    public FitOptions loss(Loss loss) {
        this.loss = loss;
        return this;
    }

    /** Keep a copy of the trainable weights each step so a NaN/Inf loss can restore them (default on). */
    public FitOptions nonFiniteGuard(boolean on) {
        this.nonFiniteGuard = on;
        return this;
    }

    public FitOptions listener(FitListener listener) {
        listeners.add(listener);
        return this;
    }

    public FitOptions stepHook(StepHook hook) {
        stepHooks.add(hook);
        return this;
    }

    private static int positive(String what, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(what + " must be > 0, got " + v);
        }
        return v;
    }

    public int epochs() { return epochs; }
    public long steps() { return steps; }
    public int batchSize() { return batchSize; }
    public OptimizerKind optimizer() { return optimizer; }
    public double lr() { return lr; }
    public double weightDecay() { return weightDecay; }
    public String scheduleName() { return schedule; }
    public Schedule schedule() { return Schedule.parse(schedule, warmupSteps); }
    public long warmupSteps() { return warmupSteps; }
    public double clipNorm() { return clipNorm; }
    public long seed() { return seed; }
    public boolean shuffle() { return shuffle; }
    public Device[] devices() { return devices == null ? null : devices.clone(); }
    public long checkpointEvery() { return checkpointEvery; }
    public Path checkpointDir() { return checkpointDir; }
    public GroupPolicy groups() { return groups; }
    public double loraPlusRatio() { return loraPlusRatio; }
    public double loraPlusEmbeddingLr() { return loraPlusEmbeddingLr; }
    public Loss loss() { return loss; }
    public boolean nonFiniteGuard() { return nonFiniteGuard; }
    public List<FitListener> listeners() { return List.copyOf(listeners); }
    public List<StepHook> stepHooks() { return List.copyOf(stepHooks); }
}
