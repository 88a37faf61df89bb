package org.loralab.lora.hf.causal;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The repository's {@code datasets/instructions/}: the instruction set and the tiny random-weight chat Llama that
 * stands in for a real model. Found by walking up from the working directory (a notebook runs in
 * {@code notebooks/}, tests in a module folder).
 */
public final class ShippedExamples {
    static final Path DIR = Path.of("datasets", "instructions");

    private ShippedExamples() {}

    /** {@code datasets/instructions/instructions.jsonl}: 264 prompt/response pairs. */
    public static Path instructions() {
        return find(DIR.resolve("instructions.jsonl"));
    }

    /** {@code datasets/instructions/tiny-chat-llama}: a 107k-parameter LlamaForCausalLM (random weights) + tokenizer. */
    public static Path tinyChatLlama() {
        return find(DIR.resolve("tiny-chat-llama"));
    }

    private static Path find(Path relative) {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve(relative);
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(relative + " not found in the working directory or above it; run from a "
                + "LoRA Lab checkout");
    }
}
