package org.loralab.lora.hf.causal;

import java.util.List;
import org.loralab.lora.hf.tokenizer.ChatMessage;

/**
 * One training example: the conversation so far ({@code context}, ending with a user turn) and the assistant's
 * {@code response}, which is what the model learns to produce. A {@code prompt}/{@code response} pair is a context
 * of one user message.
 */
public record InstructionExample(List<ChatMessage> context, String response) {
    public InstructionExample {
        context = List.copyOf(context);
        if (context.isEmpty() || response == null) {
            throw new IllegalArgumentException("an instruction example needs a prompt and a response");
        }
    }

    public static InstructionExample of(String prompt, String response) {
        return new InstructionExample(List.of(ChatMessage.user(prompt)), response);
    }

    /** The context as plain text: the messages' contents, one per line (for {@link PromptFormat#PLAIN}). */
    public String plainPrompt() {
        StringBuilder b = new StringBuilder();
        for (ChatMessage m : context) {
            b.append(m.content()).append('\n');
        }
        return b.toString();
    }
}
