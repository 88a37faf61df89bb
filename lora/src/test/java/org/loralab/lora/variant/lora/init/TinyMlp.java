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

    public static float maxAbsDiff(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }
}
