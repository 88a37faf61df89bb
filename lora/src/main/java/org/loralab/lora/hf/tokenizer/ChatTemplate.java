package org.loralab.lora.hf.tokenizer;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chat templates LoRA Lab renders, recognised from the structure of tokenizer_config.json's Jinja
 * {@code chat_template} rather than by running Jinja: ChatML (SmolLM2, Qwen2, Qwen2.5 without tools) with the
 * template's default system message, Llama-3 headers ({@code <|start_header_id|>role<|end_header_id|>}, content
 * trimmed, BOS once), and Llama-2 {@code [INST]} with {@code <<SYS>>}. Anything else (Llama-3.1's dated system
 * prompt, Mistral's [INST] without <<SYS>>, reasoning templates; tool roles) is refused with one line rather than rendered
 * almost right.
 */
public final class ChatTemplate {
    public enum Format { CHATML, LLAMA3, LLAMA2 }

    private static final String NL = "(?:\\n|\\\\n)";
    private static final Pattern CHATML_TURN = Pattern.compile(
            "'<\\|im_start\\|>'\\s*\\+\\s*message(?:\\[['\"]role['\"]\\]|\\.role)\\s*\\+\\s*'" + NL + "'");
    private static final Pattern CHATML_DEFAULT_SYSTEM = Pattern.compile(
            "'<\\|im_start\\|>system" + NL + "([^'+{}]*?)<\\|im_end\\|>" + NL + "'");
    private static final Pattern LLAMA3_TURN = Pattern.compile(
            "'<\\|start_header_id\\|>'\\s*\\+\\s*message\\[['\"]role['\"]\\]\\s*\\+\\s*'<\\|end_header_id\\|>"
                    + NL + NL + "'\\s*\\+\\s*message\\[['\"]content['\"]\\]\\s*\\|\\s*trim\\s*\\+\\s*'<\\|eot_id\\|>'");
    private static final String[] REFUSED = {"<think>", "reasoning_content", "Cutting Knowledge", "date_string"};

    private static final java.util.Set<String> ROLES = java.util.Set.of("system", "user", "assistant");

    private final Format format;
    private final String defaultSystem;
    private final String bos;
    private final String eos;

    private ChatTemplate(Format format, String defaultSystem, String bos, String eos) {
        this.format = format;
        this.defaultSystem = defaultSystem;
        this.bos = bos == null ? "" : bos;
        this.eos = eos == null ? "" : eos;
    }

    /** Recognises {@code template}; an unsupported or missing one throws one line saying how to format by hand. */
    public static ChatTemplate of(String template, String bosToken, String eosToken) {
        if (template == null || template.isBlank()) {
            throw new UnsupportedOperationException("the tokenizer has no chat_template in tokenizer_config.json: "
                    + "write the prompt in the model's chat format yourself and generate with chat=false");
        }
        Format f = recognise(template);
        if (f == null) {
            throw new UnsupportedOperationException("this chat_template is not one LoRA Lab renders (ChatML, Llama-3, "
                    + "Llama-2 [INST] <<SYS>>): format the prompt yourself as transformers' apply_chat_template("
                    + "messages, add_generation_prompt=True) would, and generate with chat=false");
        }
        String system = null;
        if (f == Format.CHATML) {
            Matcher m = CHATML_DEFAULT_SYSTEM.matcher(template);
            if (m.find()) {
                system = m.group(1).replace("\\n", "\n");
            }
        }
        return new ChatTemplate(f, system, bosToken, eosToken);
    }

    private static Format recognise(String t) {
        for (String r : REFUSED) {
            if (t.contains(r)) {
                return null;
            }
        }
        if (CHATML_TURN.matcher(t).find() && t.contains("'<|im_start|>assistant")) {
            return Format.CHATML;
        }
        if (LLAMA3_TURN.matcher(t).find() && t.contains("bos_token")) {
            return Format.LLAMA3;
        }
        if (t.contains("[INST]") && t.contains("<<SYS>>") && t.contains("bos_token") && t.contains("eos_token")) {
            return Format.LLAMA2;
        }
        return null;
    }

    public Format format() {
        return format;
    }

    /** The system message ChatML templates insert when the conversation has none (null when they insert none). */
    public String defaultSystem() {
        return defaultSystem;
    }

    /**
     * The prompt text, as {@code apply_chat_template(messages, tokenize=False, add_generation_prompt=...)} returns it.
     * Llama-2's template has no generation prompt: its text already ends with {@code [/INST]}.
     */
    public String apply(List<ChatMessage> messages, boolean addGenerationPrompt) {
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a chat needs at least one message");
        }
        for (ChatMessage m : messages) {
            if (!ROLES.contains(m.role())) {
                throw new IllegalArgumentException("chat role \"" + m.role()
                        + "\" is not supported: use system, user or assistant");
            }
        }
        StringBuilder out = new StringBuilder();
        switch (format) {
            case CHATML -> chatml(messages, addGenerationPrompt, out);
            case LLAMA3 -> llama3(messages, addGenerationPrompt, out);
            default -> llama2(messages, out);
        }
        return out.toString();
    }

    private void chatml(List<ChatMessage> messages, boolean generation, StringBuilder out) {
        if (defaultSystem != null && !messages.get(0).role().equals("system")) {
            turn(out, "system", defaultSystem);
        }
        for (ChatMessage m : messages) {
            turn(out, m.role(), m.content());
        }
        if (generation) {
            out.append("<|im_start|>assistant\n");
        }
    }

    private static void turn(StringBuilder out, String role, String content) {
        out.append("<|im_start|>").append(role).append('\n').append(content).append("<|im_end|>\n");
    }

    private void llama3(List<ChatMessage> messages, boolean generation, StringBuilder out) {
        out.append(bos);
        for (ChatMessage m : messages) {
            out.append("<|start_header_id|>").append(m.role()).append("<|end_header_id|>\n\n")
                    .append(m.content().strip()).append("<|eot_id|>");
        }
        if (generation) {
            out.append("<|start_header_id|>assistant<|end_header_id|>\n\n");
        }
    }

    private void llama2(List<ChatMessage> messages, StringBuilder out) {
        String system = null;
        List<ChatMessage> turns = messages;
        if (messages.get(0).role().equals("system")) {
            system = messages.get(0).content();
            turns = messages.subList(1, messages.size());
        }
        for (int i = 0; i < turns.size(); i++) {
            ChatMessage m = turns.get(i);
            if (m.role().equals("user") != (i % 2 == 0)) {
                throw new IllegalArgumentException(
                        "Llama-2's chat template needs the roles to alternate user/assistant/user/... (after an optional system message)");
            }
            String content = i == 0 && system != null
                    ? "<<SYS>>\n" + system + "\n<</SYS>>\n\n" + m.content() : m.content();
            if (m.role().equals("user")) {
                out.append(bos).append("[INST] ").append(content.strip()).append(" [/INST]");
            } else {
                out.append(' ').append(content.strip()).append(' ').append(eos);
            }
        }
    }
}
