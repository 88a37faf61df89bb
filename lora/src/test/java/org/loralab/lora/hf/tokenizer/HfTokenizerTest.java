package org.loralab.lora.hf.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfTokenizerTest {

    @Test
    void encodesAsTheReferenceBpeAndDecodesBack() throws Exception {
        Path dir = TokenizerFixtures.chatmlBpe();
        try (HfTokenizer t = HfTokenizer.load(dir)) {
            for (JsonElement e : JsonParser.parseString(Files.readString(dir.resolve("expected_encodings.json")))
                    .getAsJsonArray()) {
                JsonObject o = e.getAsJsonObject();
                String text = o.get("text").getAsString();
                long[] expected = new long[o.getAsJsonArray("ids").size()];
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = o.getAsJsonArray("ids").get(i).getAsLong();
                }
                assertArrayEquals(expected, t.encode(text, false), text);
                assertEquals(text, t.decode(t.encode(text, false)), "round trip of " + text);
            }
        }
    }

    @Test
    void specialTokensComeFromTokenizerConfig() {
        try (HfTokenizer t = HfTokenizer.load(TokenizerFixtures.chatmlBpe())) {
            assertEquals(1, t.bosId().getAsLong());
            assertEquals(2, t.eosId().getAsLong());
            assertEquals(2, t.padId().getAsLong());
            assertEquals(0, t.unkId().getAsLong());
            long[] ids = t.encode("<|im_start|>user\nHi<|im_end|>", false);
            assertEquals(1, ids[0]);
            assertEquals(2, ids[ids.length - 1]);
            // no add_bos_token in the config: tokenizer.json's ByteLevel post-processor adds nothing
            assertArrayEquals(t.encode("Hi there", false), t.encode("Hi there"));
            assertEquals("user\nHi", t.decode(ids, true));
        }
    }

    @Test
    void addBosAndEosTokenFromConfigAreHonoured(@TempDir Path dir) {
        TokenizerFixtures.withConfig(dir, "{\"bos_token\": {\"content\": \"<|im_start|>\"}, \"eos_token\": \"<|im_end|>\","
                + " \"add_bos_token\": true, \"add_eos_token\": true, \"padding_side\": \"left\"}");
        try (HfTokenizer t = HfTokenizer.load(dir)) {
            long[] plain = t.encode("Hi there", false);
            long[] ids = t.encode("Hi there");
            assertEquals(plain.length + 2, ids.length);
            assertEquals(1, ids[0]);
            assertEquals(2, ids[ids.length - 1]);
            assertEquals(Padding.LEFT, t.settings().paddingSide());
        }
    }

    @Test
    void batchPadsEitherSideWithMasksAndTruncates() {
        try (HfTokenizer t = HfTokenizer.load(TokenizerFixtures.chatmlBpe())) {
            long[] a = t.encode("What is 7 plus 5?");
            long[] b = t.encode("Hi");
            BatchEncoding right = t.batch(List.of("What is 7 plus 5?", "Hi"), Padding.RIGHT, 0, true);
            assertEquals(a.length, right.length());
            assertArrayEquals(a, right.inputIds()[0]);
            for (int j = 0; j < a.length; j++) {
                boolean real = j < b.length;
                assertEquals(real ? b[j] : 2L, right.inputIds()[1][j]);
                assertEquals(real ? 1L : 0L, right.attentionMask()[1][j]);
            }
            BatchEncoding left = t.batch(List.of("What is 7 plus 5?", "Hi"), Padding.LEFT, 0, true);
            int offset = a.length - b.length;
            for (int j = 0; j < a.length; j++) {
                assertEquals(j < offset ? 2L : b[j - offset], left.inputIds()[1][j]);
                assertEquals(j < offset ? 0L : 1L, left.attentionMask()[1][j]);
            }
            BatchEncoding cut = t.batch(List.of("What is 7 plus 5?"), Padding.RIGHT, 3, true);
            assertArrayEquals(java.util.Arrays.copyOf(a, 3), cut.inputIds()[0]);
        }
    }

    @Test
    void appliesTheFixturesChatMlTemplate() {
        try (HfTokenizer t = HfTokenizer.load(TokenizerFixtures.chatmlBpe())) {
            String text = t.applyChatTemplate(List.of(ChatMessage.user("What is 2 plus 2?")), true);
            assertEquals("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                    + "<|im_start|>user\nWhat is 2 plus 2?<|im_end|>\n<|im_start|>assistant\n", text);
            assertArrayEquals(t.encode(text, false), t.encodeChat(List.of(ChatMessage.user("What is 2 plus 2?")), true));
        }
    }

    @Test
    void missingOrBrokenFilesGetOneLine(@TempDir Path dir) throws Exception {
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> HfTokenizer.load(dir));
        assertTrue(none.getMessage().contains("no tokenizer.json"), none.getMessage());
        TokenizerFixtures.withConfig(dir, "{\"bos_token\": \"<s>\"}");
        IllegalArgumentException bos = assertThrows(IllegalArgumentException.class, () -> HfTokenizer.load(dir));
        assertTrue(bos.getMessage().contains("bos_token \"<s>\" is not one token"), bos.getMessage());
        TokenizerFixtures.withConfig(dir, "{\"padding_side\": \"middle\"}");
        assertThrows(IllegalArgumentException.class, () -> HfTokenizer.load(dir));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{}");
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": 3}");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> HfTokenizer.load(dir));
        assertTrue(bad.getMessage().contains("could not read"), bad.getMessage());
        assertEquals(1, bad.getMessage().lines().count());
    }
}
