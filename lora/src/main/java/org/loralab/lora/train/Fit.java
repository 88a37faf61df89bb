package org.loralab.lora.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.optimizer.Optimizer;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.variant.StepInfo;
import org.loralab.lora.variant.TrainingHooks;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The training loop: seeded shuffling and batching of {@link TensorData}, one NDManager scope per batch, optimizer
 * groups (plain, LoRA+, LoRA-FA), schedule, gradient clipping, listeners, step hooks, checkpoints, and a clean stop
 * on interrupt or a non-finite loss. Runs on DJL's training machinery (ParameterStore + ParameterServer for devices
 * and updates, the engine's GradientCollector), as Trainer does, without Trainer's first-step "all gradients zero"
 * check: it sums signed gradients, which is exactly 0 for a softmax head whose only trainable tensor is LoRA's B.
 */
public final class Fit {
    private Fit() {}

    /** Trains {@code model}'s trainable parameters on {@code train}; {@code validation} may be null. */
    public static TrainingReport fit(Model model, TensorData train, TensorData validation, FitOptions options) {
        Block block = requireBlock(model.getBlock());
        initialize(block, model.getNDManager(), train, options);
        return fit(block, model.getNDManager(), train, validation, options, TrainableParams.of(block),
                TrainingHooks.NONE);
    }

    /**
     * Trains an adapted model: only what the adapter made trainable, with core's parameter roles and layer
     * scalings (LoRA+, LoRA-FA) and the active variants' per-step hooks.
     */
    public static TrainingReport fit(AdaptedModel model, TensorData train, TensorData validation,
            FitOptions options) {
        return fit(model, train, validation, options, null);
    }

    /**
     * As {@link #fit(AdaptedModel, TensorData, TensorData, FitOptions)}, continuing from {@code state} (optimizer,
     * step counter, data cursor) and leaving it ready for the next call; {@code options.steps()} (or epochs) are the
     * steps of this call. A null state trains from scratch.
     */
    public static TrainingReport fit(AdaptedModel model, TensorData train, TensorData validation,
            FitOptions options, FitState state) {
        Block block = requireBlock(model.block());
        if (model.isMerged()) {
            throw new IllegalStateException("the adapter is merged into the base weights, so it gets no gradient: "
                    + "run %lora unmerge (Lab.adapted().unmerge()) before training, and %lora merge again after");
        }
        if (model.model() != null) {
            return fit(block, model.model().getNDManager(), train, validation, options,
                    TrainableParams.of(model), model.hooks(), state);
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            return fit(block, manager, train, validation, options, TrainableParams.of(model), model.hooks(), state);
        }
    }

    /**
     * The general form: an initialized block, a manager to scope training memory under, the parameters to train
     * (with roles and scalings) and per-step hooks.
     */
    public static TrainingReport fit(Block block, NDManager parent, TensorData train, TensorData validation,
            FitOptions options, List<ParamInfo> params, TrainingHooks hooks) {
        return fit(block, parent, train, validation, options, params, hooks, null);
    }

    /** The general form, continuing from {@code state} when it is not null (see {@link FitState}). */
    public static TrainingReport fit(Block block, NDManager parent, TensorData train, TensorData validation,
            FitOptions options, List<ParamInfo> params, TrainingHooks hooks, FitState state) {
        if (!block.isInitialized()) {
            throw new IllegalArgumentException("the block is not initialized: call block.initialize(...) first");
        }
        Device[] devices = options.devices() != null ? options.devices() : Devices.engineDefault();
        // a continued fit draws new dropout masks rather than repeating the first call's
        long offset = state == null ? 0 : state.stepsDone();
        Engine.getInstance().setRandomSeed((int) (options.seed() + offset));
        long totalParams = NamedParams.count(NamedParams.all(block));
        Optimizer optimizer = state != null && state.optimizer != null ? state.optimizer
                : buildOptimizer(options, params);
        if (state != null) {
            state.optimizer = optimizer;
            FitCheckpoint.restoreMoments(state, optimizer, params);
        }
        List<ParamInfo> trainable = new ArrayList<>();
        for (ParamInfo p : params) {
            if (p.parameter().requiresGradient()) {
                trainable.add(p);
            }
        }
        if (trainable.isEmpty()) {
            throw new IllegalArgumentException(
                    "nothing to train: every parameter of the model is frozen (inject an adapter or unfreeze a layer)");
        }
        try (NDManager manager = parent.newSubManager()) {
            ParameterStore store = new ParameterStore(manager, false);
            store.setParameterServer(manager.getEngine().newParameterServer(optimizer), devices);
            Loop loop = new Loop(manager, store, block, train, validation, options, optimizer, devices, trainable,
                    totalParams, hooks == null ? TrainingHooks.NONE : hooks, state);
            // gradients are recorded inside each batch's GradientCollector only, whatever thread this is
            return GradMode.off(loop::run);
        }
    }

    private static Block requireBlock(Block block) {
        if (block == null) {
            throw new IllegalArgumentException("the model has no block: call model.setBlock(...) first");
        }
        return block;
    }

    private static void initialize(Block block, NDManager manager, TensorData train, FitOptions options) {
        if (!block.isInitialized()) {
            block.initialize(manager, DataType.FLOAT32, batchShape(train.features(), options.batchSize()));
        }
    }

    static Optimizer buildOptimizer(FitOptions o, List<ParamInfo> params) {
        switch (o.groups()) {
            case LORA_FA:
                return LoraFaOptimizer.create(params, o.lr(), o.weightDecay());
            case LORA_PLUS:
                return new GroupedOptimizer(o.optimizer(), OptimizerGroups.loraPlus(params, o.lr(),
                        o.loraPlusRatio(), o.weightDecay(), o.loraPlusEmbeddingLr()), params);
            default:
                return new GroupedOptimizer(o.optimizer(), OptimizerGroups.single(params, o.lr(), o.weightDecay()),
                        params);
        }
    }

    static Shape batchShape(NDArray features, int batch) {
        Shape s = features.getShape();
        long[] dims = s.getShape().clone();
        dims[0] = Math.min(batch, dims[0]);
        return new Shape(dims);
    }

    private static final class Loop {
        private final NDManager manager;
        private final ParameterStore store;
        private final Block block;
        private final TensorData train;
        private final TensorData validation;
        private final FitOptions o;
        private final Optimizer optimizer;
        private final Device[] devices;
        private final List<ParamInfo> trainable;
        private final TrainingHooks hooks;
        private final long totalParams;
        private final Schedule schedule;
        private final Random random;
        private final PeakMemory memory;
        private final Listeners listeners;
        private final FitState state;
        private final Gradients gradients;
        /** A gradient this many times larger than any of the recent ones is taken for engine garbage. */
        private static final double GARBAGE_FACTOR = 1e4;
        private static final int NORM_WINDOW = 50;
        private final java.util.ArrayDeque<Double> recentNorms = new java.util.ArrayDeque<>();
        /** Global steps made before this call (0 without a state). */
        private final long offset;

        Loop(NDManager manager, ParameterStore store, Block block, TensorData train, TensorData validation, FitOptions o,
                Optimizer optimizer, Device[] devices, List<ParamInfo> trainable, long totalParams, TrainingHooks hooks,
                FitState state) {
            this.manager = manager;
            this.store = store;
            this.block = block;
            this.train = train;
            this.validation = validation;
            this.o = o;
            this.optimizer = optimizer;
            this.devices = devices;
            this.trainable = trainable;
            this.totalParams = totalParams;
            this.hooks = hooks;
            this.schedule = o.schedule();
            this.state = state;
            this.offset = state == null ? 0 : state.stepsDone();
            this.random = state == null ? new Random(o.seed()) : state.random(o.seed());
            this.memory = new PeakMemory(devices);
            this.listeners = new Listeners(o.listeners());
            this.gradients = new Gradients(trainable, store, devices);
        }

        TrainingReport run() {
            long n = train.size();
            int batch = o.batchSize();
            long perEpoch = (n + batch - 1) / batch;
            long total = o.steps() > 0 ? o.steps() : perEpoch * o.epochs();
            LossLog.checkPlanned(total);
            long firstBatch = state == null ? 0 : state.startBatch(n, batch, perEpoch);
            int epochs = (int) ((firstBatch + total + perEpoch - 1) / perEpoch);
            long[] order = null;
            long b = 0;
            if (offset == 0) {
                // a continued fit (FitState) is one part of a longer run whose length only the caller knows
                for (String w : hooks.planWarnings(total)) {
                    warn(w);
                }
            }
            if (ConvSelfCheck.containsConv(block)) {
                ConvSelfCheck.warning().ifPresent(this::warn);
            }
            List<EpochStats> stats = new ArrayList<>();
            LossLog stepLosses = new LossLog();
            long step = 0;
            long seen = 0;
            StopReason reason = StopReason.COMPLETED;
            String message = null;
            BatchEvent last = null;
            long start = System.nanoTime();
            try (NDManager guardScope = manager.newSubManager()) {
                WeightBackup backups = o.nonFiniteGuard() ? new WeightBackup(trainable, guardScope) : null;
                outer:
                for (int epoch = 1; epoch <= epochs; epoch++) {
                    long epochStart = System.nanoTime();
                    boolean resumeEpoch = epoch == 1 && firstBatch > 0;
                    order = resumeEpoch ? state.order() : order(n);
                    b = resumeEpoch ? firstBatch : 0;
                    double lossSum = 0;
                    long correct = 0;
                    long count = 0;
                    for (; b < perEpoch && step < total; b++) {
                        if (Thread.interrupted()) {
                            reason = StopReason.INTERRUPTED;
                            message = "interrupted at step " + step + " of " + total;
                            Thread.currentThread().interrupt();
                            break outer;
                        }
                        int from = (int) (b * batch);
                        int to = (int) Math.min(n, from + (long) batch);
                        double factor = schedule.factor(offset + step, offset + total);
                        double lr = o.lr() * factor;
                        try (NDManager scope = manager.newSubManager()) {
                            long[] idx = java.util.Arrays.copyOfRange(order, from, to);
                            StepInfo info = new StepInfo(offset + step, offset + total, factor);
                            hooks.beforeStep(info);
                            BatchResult r = trainBatch(scope, idx);
                            if (backups != null && Double.isFinite(r.loss)) {
                                r = recomputeIfGarbage(scope, idx, r, offset + step + 1);
                            }
                            if (!Double.isFinite(r.loss)) {
                                if (backups != null) {
                                    backups.restore(scope);
                                }
                                reason = StopReason.NON_FINITE_LOSS;
                                message = "loss became " + r.loss + " at step " + (step + 1) + " (epoch " + epoch
                                        + (backups != null ? "); restored the weights that gave the last finite loss (after step "
                                        + Math.max(0, step - 1) + ")" : ")")
                                        + ". Lower the lr or clip gradients (clip_norm).";
                                break outer;
                            }
                            if (o.clipNorm() > 0) {
                                gradients.clip(scope, o.clipNorm());
                            }
                            if (backups != null) {
                                backups.save();
                            }
                            setFactor(factor);
                            store.updateAllParameters();
                            step++;
                            hooks.afterStep(info);
                            for (StepHook h : o.stepHooks()) {
                                h.afterStep(offset + step, offset + total);
                            }
                            gradients.zero(scope);
                            lossSum += r.loss * r.size;
                            correct += r.correct;
                            count += r.size;
                            seen += r.size;
                            stepLosses.add(r.loss);
                        }
                        double elapsed = (System.nanoTime() - start) / 1e9;
                        BatchEvent event = new BatchEvent(step, total, epoch, epochs, stepLosses.last(), elapsed,
                                elapsed > 0 ? seen / elapsed : 0, lr);
                        last = event;
                        listeners.each(l -> l.onBatch(event));
                        if (o.checkpointEvery() > 0 && (offset + step) % o.checkpointEvery() == 0) {
                            FitState snap = FitState.snapshot(random, order, b + 1, offset + step, batch, offset + total);
                            listeners.uninterrupted(() -> FitCheckpoint.write(block, snap, optimizer, trainable,
                                    o.checkpointDir()));
                        }
                    }
                    double[] val = validate();
                    memory.sample();
                    EpochStats es = new EpochStats(epoch, count == 0 ? Double.NaN : lossSum / count,
                            classification() && count > 0 ? (double) correct / count : Double.NaN,
                            val[0], val[1], (System.nanoTime() - epochStart) / 1e9);
                    stats.add(es);
                    BatchEvent lastEvent = last;
                    listeners.each(l -> l.onEpoch(es, lastEvent));
                }
            }
            if (state != null) {
                state.advance(order, b, step, batch, offset + total);
            }
            memory.sample();
            double wall = (System.nanoTime() - start) / 1e9;
            TrainingReport report = new TrainingReport(stats, stepLosses.toArray(), step, total, seen, wall,
                    TrainableParams.count(trainable), totalParams, memory.peak(), memory.source(),
                    Devices.describe(devices), reason, message);
            listeners.each(reason == StopReason.COMPLETED ? l -> l.onEnd(report) : l -> l.onStopped(report));
            return report;
        }

        /**
         * A one-line warning before the first step: to every listener (the notebook's live view shows it), or to
         * stderr when there is none, as Python's warnings.warn does.
         */
        private void warn(String message) {
            if (listeners.isEmpty()) {
                System.err.println("warning: " + message);
            }
            listeners.each(l -> l.onWarning(message));
        }

        private record BatchResult(double loss, long correct, long size) {}

        private BatchResult trainBatch(NDManager scope, long[] idx) {
            NDArray index = scope.create(idx);
            NDArray x = take(scope, train.features(), index);
            NDArray y = take(scope, train.labels(), index);
            List<NDList[]> parts = split(scope, x, y);
            double lossSum = 0;
            long correct = 0;
            try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
                for (NDList[] part : parts) {
                    NDList preds = block.forward(store, part[0], true);
                    NDArray loss = o.loss().evaluate(part[1], preds);
                    long size = part[0].head().getShape().get(0);
                    double value = loss.getFloat();
                    Device device = part[0].head().getDevice();
                    NDArray extra = hooks.extraLoss(p -> store.getValue(p, device, true), scope);
                    if (extra != null) {
                        loss = loss.add(extra);
                    }
                    if (!Double.isFinite(value)) {
                        return new BatchResult(value, 0, idx.length);
                    }
                    gc.backward(loss);
                    lossSum += value * size;
                    correct += correct(preds.head(), part[1].head());
                }
            }
            return new BatchResult(lossSum / idx.length, correct, idx.length);
        }

        private static NDArray take(NDManager scope, NDArray source, NDArray index) {
            NDArray out = source.get(new NDIndex("{}", index));
            out.attach(scope);
            return out;
        }

        private List<NDList[]> split(NDManager scope, NDArray x, NDArray y) {
            List<NDList[]> parts = new ArrayList<>();
            int k = (int) Math.min(devices.length, x.getShape().get(0));
            if (k <= 1) {
                parts.add(new NDList[] {new NDList(onDevice(scope, x, devices[0])),
                        new NDList(onDevice(scope, y, devices[0]))});
                return parts;
            }
            NDList xs = x.split(k);
            NDList ys = y.split(k);
            for (int i = 0; i < k; i++) {
                xs.get(i).attach(scope);
                ys.get(i).attach(scope);
                parts.add(new NDList[] {new NDList(onDevice(scope, xs.get(i), devices[i])),
                        new NDList(onDevice(scope, ys.get(i), devices[i]))});
            }
            return parts;
        }

        private static NDArray onDevice(NDManager scope, NDArray a, Device d) {
            if (a.getDevice().equals(d)) {
                return a;
            }
            NDArray moved = a.toDevice(d, false);
            moved.attach(scope);
            return moved;
        }

        private boolean classification() {
            return train.labels().getShape().dimension() == 1;
        }

        private long correct(NDArray preds, NDArray labels) {
            if (!classification() || preds.getShape().dimension() != 2) {
                return 0;
            }
            return preds.argMax(1).toType(DataType.INT64, false)
                    .eq(labels.toType(DataType.INT64, false)).sum().getLong();
        }

        /** Mean validation loss and accuracy, without gradients; NaNs when there is no validation set. */
        private double[] validate() {
            if (validation == null) {
                return new double[] {Double.NaN, Double.NaN};
            }
            long n = validation.size();
            double lossSum = 0;
            long correct = 0;
            for (long from = 0; from < n; from += o.batchSize()) {
                long to = Math.min(n, from + o.batchSize());
                try (NDManager scope = manager.newSubManager()) {
                    NDArray x = validation.features().get(from + ":" + to);
                    NDArray y = validation.labels().get(from + ":" + to);
                    x.attach(scope);
                    y.attach(scope);
                    x = onDevice(scope, x, devices[0]);
                    y = onDevice(scope, y, devices[0]);
                    NDList preds = block.forward(store, new NDList(x), false);
                    lossSum += o.loss().evaluate(new NDList(y), preds).getFloat() * (to - from);
                    correct += correct(preds.head(), y);
                }
            }
            return new double[] {lossSum / n, classification() ? (double) correct / n : Double.NaN};
        }

        private long[] order(long n) {
            return FitCheckpoint.order(n, o.shuffle() ? random : null);
        }

        private void setFactor(double f) {
            if (optimizer instanceof GroupedOptimizer g) {
                g.setScheduleFactor(f);
            } else if (optimizer instanceof LoraFaOptimizer fa) {
                fa.setScheduleFactor(f);
            }
        }

        /**
         * The gradient guard (on with {@link FitOptions#nonFiniteGuard}). The CPU engine on some machines returns, about
         * once in a thousand or two backward passes, a gradient that is Inf/NaN or absurdly large although the loss
         * is fine (README, Limits; tools/kernel-determinism): one such step ruins a run. When the global gradient
         * norm is not finite, or over {@link #GARBAGE_FACTOR} times the largest of the last {@link #NORM_WINDOW}
         * accepted steps, the same batch is computed again (at most twice) and the step uses that gradient. A
         * gradient that stays non-finite makes the loss NaN here, so the loop stops as for a NaN loss.
         */
        private BatchResult recomputeIfGarbage(NDManager scope, long[] idx, BatchResult first, long stepNumber) {
            BatchResult r = first;
            double norm = gradients.norm(scope);
            for (int attempt = 0; attempt < 2 && isGarbage(norm); attempt++) {
                String what = Double.isFinite(norm) ? "a gradient norm of " + String.format("%.3g", norm)
                        + " (the last " + recentNorms.size() + " steps stayed under "
                        + String.format("%.3g", maxRecentNorm()) + ")" : "a non-finite gradient";
                gradients.zero(scope);
                r = trainBatch(scope, idx);
                norm = gradients.norm(scope);
                warn("step " + stepNumber + ": the engine returned " + what + " for a finite loss; computed the batch again"
                        + (isGarbage(norm) ? " and got the same" : " and got a normal gradient (norm "
                        + String.format("%.3g", norm) + ")") + ". This is a sporadic fault of the CPU engine on some "
                        + "machines (README, Limits).");
            }
            if (!Double.isFinite(norm)) {
                return new BatchResult(Double.NaN, r.correct, r.size);
            }
            recentNorms.addLast(norm);
            if (recentNorms.size() > NORM_WINDOW) {
                recentNorms.removeFirst();
            }
            return r;
        }

        private boolean isGarbage(double norm) {
            return !Double.isFinite(norm) || (recentNorms.size() >= 8 && norm > GARBAGE_FACTOR * maxRecentNorm());
        }

        private double maxRecentNorm() {
            double max = 0;
            for (double v : recentNorms) {
                max = Math.max(max, v);
            }
            return max;
        }

    }
}
