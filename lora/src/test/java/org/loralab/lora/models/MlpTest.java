package org.loralab.lora.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.loralab.lora.inject.BlockPaths;

class MlpTest {

    /** PEFT's test MLP: Linear(10,20) -> ReLU -> Dropout(0.5) -> Linear(20,2) -> LogSoftmax. */
    private static Mlp peftTestMlp() {
        return Mlp.builder().addHidden(20).setOutputs(2).optDropout(0.5f).optLogSoftmax(true).build();
    }

    @Test
    void namesAndShapesFollowPeftTestMlp() {
        Mlp mlp = peftTestMlp();
        Map<String, Block> paths = BlockPaths.named(mlp);
        assertEquals(List.of("", "lin0", "drop0", "lin1"), List.copyOf(paths.keySet())); // "" is the root
        assertInstanceOf(Linear.class, paths.get("lin0"));
        assertInstanceOf(Dropout.class, paths.get("drop0"));
        try (NDManager m = NDManager.newBaseManager()) {
            mlp.initialize(m, DataType.FLOAT32, new Shape(9, 10));
            NDArray x = m.arange(90f).reshape(9, 10);
            NDArray y = mlp.forward(new ParameterStore(m, false), new NDList(x), false).singletonOrThrow();
            assertEquals(new Shape(9, 2), y.getShape());
            // log-softmax rows exponentiate to probabilities
            NDArray rowSums = y.exp().sum(new int[] {1});
            assertEquals(0f, rowSums.sub(1f).abs().max().getFloat(), 1e-5f);
            assertEquals(10 * 20 + 20 + 20 * 2 + 2,
                    mlp.getParameters().values().stream().mapToLong(p -> p.getArray().size()).sum());
        }
    }

    @Test
    void outputsAreRequired() {
        assertThrows(IllegalArgumentException.class, () -> Mlp.builder().addHidden(4).build());
        assertThrows(IllegalArgumentException.class, () -> Mlp.builder().optDropout(1f));
    }
}
