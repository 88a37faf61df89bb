package org.loralab.lora.inject;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.nn.Activation;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.transformer.ScaledDotProductAttentionBlock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.loralab.lora.testing.Toy;

class BlockPathsTest {
    @Test
    void namedChildrenKeepTheirNamesAnonymousOnesGetIndices() {
        SequentialBlock layers = new SequentialBlock().add(new Toy.Mlp()).add(new Toy.Mlp());
        SequentialBlock root = new SequentialBlock().add(layers).add(Activation.reluBlock())
                .add(new ParallelBlock(l -> l.get(0), List.of(Linear.builder().setUnits(2).build(),
                        Linear.builder().setUnits(3).build())));
        List<String> paths = List.copyOf(BlockPaths.named(root).keySet());
        assertEquals(List.of("", "0", "0.0", "0.0.lin0", "0.0.lin1", "0.1", "0.1.lin0", "0.1.lin1", "1", "2", "2.0", "2.1"),
                paths);
    }

    @Test
    void djlAttentionBlockFieldsAreNamed() {
        ScaledDotProductAttentionBlock att = ScaledDotProductAttentionBlock.builder().setEmbeddingSize(8).setHeadCount(2).build();
        List<String> paths = List.copyOf(BlockPaths.named(att).keySet());
        assertTrue(paths.containsAll(List.of("keyProjection", "queryProjection", "valueProjection", "resultProjection")),
                paths.toString());
    }

    @Test
    void aSharedBlockIsListedOnceUnderItsFirstPath() {
        Linear shared = Linear.builder().setUnits(3).build();
        SequentialBlock root = new SequentialBlock().add(shared).add(Activation.reluBlock()).add(shared);
        assertEquals(List.of("", "0", "1"), List.copyOf(BlockPaths.named(root).keySet()));
    }

    @Test
    void cleanNameRules() {
        Linear lin = Linear.builder().setUnits(1).build();
        assertEquals("query", BlockPaths.cleanName("03query", 2, lin));
        assertEquals("2", BlockPaths.cleanName("03Linear", 2, lin));
        assertEquals("query", BlockPaths.cleanName("07query", 2, lin), "stale prefix after removals is still stripped");
    }
}
