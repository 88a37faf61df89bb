package org.loralab.lora.train;

import ai.djl.nn.Block;
import ai.djl.training.optimizer.Optimizer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** What the fit loop does for checkpoints that can resume it, and the data order both share. */
final class FitCheckpoint {
    private FitCheckpoint() {}

    /** Parameters with the fit state (sgd/adam/adamw); LoRA-FA's optimizer keeps its own state: parameters only. */
    static void write(Block block, FitState snapshot, Optimizer optimizer, List<ParamInfo> trainable,
            java.nio.file.Path dir) {
        if (!(optimizer instanceof GroupedOptimizer g)) {
            Checkpoints.write(block, dir, snapshot.stepsDone());
            return;
        }
        Map<String, String> names = new HashMap<>();
        for (ParamInfo p : trainable) {
            names.put(p.parameter().getId(), p.name());
        }
        Checkpoints.write(block, snapshot, g.exportMoments(names), dir, snapshot.stepsDone());
    }

    /** A state read from a checkpoint hands its optimizer moments to the fit's new optimizer. */
    static void restoreMoments(FitState state, Optimizer optimizer, List<ParamInfo> params) {
        if (state.restoredMoments == null) {
            return;
        }
        if (!(optimizer instanceof GroupedOptimizer g)) {
            throw new IllegalArgumentException("a checkpoint resumes fits with optimizer sgd, adam or adamw (not LoRA-FA)");
        }
        g.importMoments(state.restoredMoments, params);
        state.restoredMoments = null;
    }

    /** 0..n-1, shuffled by {@code random} (Fisher-Yates, as the fit has always drawn it) unless it is null. */
    static long[] order(long n, Random random) {
        long[] order = new long[(int) n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (random != null) {
            for (int i = (int) n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                long t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }
}
