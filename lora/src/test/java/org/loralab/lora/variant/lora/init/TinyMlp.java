package org.loralab.lora.variant.lora.init;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** 10 → Linear "0" (20) → ReLU → Linear "2" (8) → ReLU → Linear "4" (2), for injection tests. */
public final class TinyMlp {
    private TinyMlp() {}

    public static SequentialBlock build(NDManager manager) {
        SequentialBlock b = new SequentialBlock()
                .add(Linear.builder().setUnits(20).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(8).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(2).build());
        b.initialize(manager, DataType.FLOAT32, new Shape(1, 10));
        return b;
    }

    /** A second MLP with the same weights (through DJL's parameter serialisation). */
    public static SequentialBlock copy(Block source, NDManager manager) {
        SequentialBlock b = build(manager);
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            source.saveParameters(new DataOutputStream(bytes));
            b.loadParameters(manager, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        } catch (IOException | ai.djl.MalformedModelException e) {
            throw new UncheckedIOException(new IOException(e));
        }
        return b;
    }

    public static NDArray input(NDManager manager) {
        return manager.arange(90f).reshape(9, 10).div(90f).sub(0.5f);
    }

    public static NDArray forward(Block block, NDManager manager) {
        return block.forward(new ParameterStore(manager, false), new NDList(input(manager)), false).head();
    }

    /**
     * PEFT's test_only_params_are_updated: 3 SGD steps (lr 0.5) on loss = output.sum() through DJL's Trainer, then
     * asserts that every trainable adapter tensor moved by more than 1e-4 and every other parameter of the block by
     * less. Returns how many tensors moved.
     */
    public static int assertOnlyAdapterParamsMove(ai.djl.Model model, org.loralab.lora.inject.AdaptedModel adapted,
            NDManager manager) {
        java.util.Map<ai.djl.nn.Parameter, float[]> before = new java.util.IdentityHashMap<>();
        for (ai.djl.util.Pair<String, ai.djl.nn.Parameter> p : adapted.block().getParameters()) {
            before.put(p.getValue(), p.getValue().getArray().toFloatArray());
        }
        java.util.Set<ai.djl.nn.Parameter> trainable = java.util.Collections.newSetFromMap(
                new java.util.IdentityHashMap<>());
        adapted.trainableParameterMap().values().forEach(p -> trainable.add(p.parameter()));
        for (org.loralab.lora.variant.AdapterParam p : adapted.adapterTensors(
                adapted.activeAdapters().get(0)).values()) {
            before.putIfAbsent(p.parameter(), p.parameter().getArray().toFloatArray());
        }
        ai.djl.training.loss.Loss sum = new ai.djl.training.loss.Loss("sum") {
            @Override
            public NDArray evaluate(NDList labels, NDList predictions) {
                return predictions.head().sum();
            }
        };
        ai.djl.training.DefaultTrainingConfig tc = new ai.djl.training.DefaultTrainingConfig(sum)
                .optOptimizer(ai.djl.training.optimizer.Optimizer.sgd()
                        .setLearningRateTracker(ai.djl.training.tracker.Tracker.fixed(0.5f)).build());
        try (ai.djl.training.Trainer trainer = model.newTrainer(tc)) {
            for (int i = 0; i < 3; i++) {
                try (ai.djl.training.GradientCollector gc = trainer.newGradientCollector()) {
                    gc.backward(trainer.forward(new NDList(input(manager))).head().sum());
                }
                trainer.step();
            }
        }
        int moved = 0;
        for (java.util.Map.Entry<ai.djl.nn.Parameter, float[]> e : before.entrySet()) {
            float[] now = e.getKey().getArray().toFloatArray();
            double d = 0;
            for (int i = 0; i < now.length; i++) {
                d = Math.max(d, Math.abs(now[i] - e.getValue()[i]));
            }
            String name = e.getKey().getName();
            if (trainable.contains(e.getKey())) {
                org.junit.jupiter.api.Assertions.assertTrue(d > 1e-4, name + " should move, moved " + d);
                moved++;
            } else {
                org.junit.jupiter.api.Assertions.assertTrue(d < 1e-4, name + " should stay, moved " + d);
            }
        }
        return moved;
    }

    public static float maxAbsDiff(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }
}
