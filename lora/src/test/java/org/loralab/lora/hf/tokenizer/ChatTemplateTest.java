package org.loralab.lora.hf.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The published templates (as their tokenizer_config.json holds them, JSON-decoded) and their transformers renderings. */
class ChatTemplateTest {
    static final String SMOLLM2 = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
            + "{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}"
            + "{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}"
            + "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";
    static final String LLAMA3 = "{% set loop_messages = messages %}{% for message in loop_messages %}"
            + "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim"
            + " + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}"
            + "{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}";
    static final String LLAMA2 = "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}"
            + "{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}"
            + "{% set system_message = false %}{% endif %}{% for message in loop_messages %}"
            + "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
            + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
            + "{% if loop.index0 == 0 and system_message != false %}"
            + "{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}"
            + "{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}"
            + "{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}"
            + "{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";
    static final String MISTRAL = "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}"
            + "{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}"
            + "{{ message['content'] + eos_token}}{% endif %}{% endfor %}";

    @Test
    void chatMlInsertsTheTemplatesDefaultSystemOnlyWithoutOne() {
        ChatTemplate t = ChatTemplate.of(SMOLLM2, "<|im_start|>", "<|im_end|>");
        assertEquals(ChatTemplate.Format.CHATML, t.format());
        assertEquals("<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
                + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
                t.apply(List.of(ChatMessage.user("Hi")), true));
        assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                + "<|im_start|>assistant\nHello<|im_end|>\n",
                t.apply(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi"), ChatMessage.assistant("Hello")),
                        false));
    }

    @Test
    void chatMlWithoutDefaultSystem() {
        String plain = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content']"
                + " + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
        ChatTemplate t = ChatTemplate.of(plain, null, null);
        assertNull(t.defaultSystem());
        assertEquals("<|im_start|>user\nHi<|im_end|>\n", t.apply(List.of(ChatMessage.user("Hi")), false));
    }

    @Test
    void llama3HeadersTrimmedContentAndOneBos() {
        ChatTemplate t = ChatTemplate.of(LLAMA3, "<|begin_of_text|>", "<|eot_id|>");
        assertEquals(ChatTemplate.Format.LLAMA3, t.format());
        assertEquals("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n",
                t.apply(List.of(ChatMessage.system("Be brief."), ChatMessage.user("  Hi \n")), true));
    }

    @Test
    void llama2InstWithSystemBlockAndAlternation() {
        ChatTemplate t = ChatTemplate.of(LLAMA2, "<s>", "</s>");
        assertEquals(ChatTemplate.Format.LLAMA2, t.format());
        assertEquals("<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello </s><s>[INST] Bye [/INST]",
                t.apply(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi "),
                        ChatMessage.assistant("Hello"), ChatMessage.user("Bye")), true));
        assertThrows(IllegalArgumentException.class,
                () -> t.apply(List.of(ChatMessage.assistant("Hello")), false));
    }

    @Test
    void othersAreRefusedWithOneLineSayingHowToFormatByHand() {
        for (String template : new String[] {MISTRAL, LLAMA3.replace("{% set loop_messages",
                "{{ 'Cutting Knowledge Date: December 2023' }}{% set loop_messages"), null}) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> ChatTemplate.of(template, "<s>", "</s>"));
            assertEquals(1, e.getMessage().lines().count());
            assertTrue(e.getMessage().contains("chat=false"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> ChatTemplate.of(SMOLLM2, null, null)
                .apply(List.of(new ChatMessage("tool", "{}")), false));
    }
}
