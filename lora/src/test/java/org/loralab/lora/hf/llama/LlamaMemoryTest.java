package org.loralab.lora.hf.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

/**
 * Activations of a forward belong to the caller's manager: forwards inside a
 * closed sub-manager leave the model's manager with exactly the arrays it had (no per-step growth).
 */
class LlamaMemoryTest {
    @Test
    void forwardsLeaveNothingOnTheModelsManager() {
        for (String name : new String[] {"llama-tiny", "mistral-tiny"}) {
            try (CausalLm lm = LlamaFixtures.load(name)) {
                NDManager owner = lm.model().getNDManager();
                long[][] ids = {{17, 40, 3, 9, 64}};
                try (NDManager warm = owner.newSubManager()) {
                    lm.logits(warm, ids);
                }
                int before = owner.getManagedArrays().size();
                for (int i = 0; i < 3; i++) {
                    try (NDManager step = owner.newSubManager()) {
                        lm.logits(step, ids);
                    }
                }
                assertEquals(before, owner.getManagedArrays().size(), name + ": arrays left on the model's manager by forwards");
            }
        }
    }
}
