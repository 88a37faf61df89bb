package org.loralab.lora.hf.causal;

/**
 * How an example becomes text. CHAT: the tokenizer's chat template with the generation prompt, then the response
 * and EOS (what instruction-tuned models expect). PLAIN: the prompt, a newline, the response and EOS (base models,
 * or tokenizers without a chat template).
 */
public enum PromptFormat {
    CHAT,
    PLAIN
}
