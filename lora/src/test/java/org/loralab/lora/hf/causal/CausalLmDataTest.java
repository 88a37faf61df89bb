package org.loralab.lora.hf.causal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loralab.lora.hf.tokenizer.ChatMessage;
import org.loralab.lora.hf.tokenizer.HfTokenizer;
import org.loralab.lora.hf.tokenizer.TokenizerFixtures;
import org.loralab.lora.train.TensorData;

class CausalLmDataTest {
    static final long X = CausalLmLoss.IGNORE_INDEX;

    @Test
    void promptAndPaddingAreIgnoredButTheEosThatEqualsPadIsLearned() {
        try (NDManager m = NDManager.newBaseManager()) {
            // pad == eos == 2: the response's EOS is learned, the padding after it is not
            List<CausalLmData.Row> rows = List.of(CausalLmData.row(new long[] {5, 6, 7}, new long[] {8, 9, 2}, 0),
                    CausalLmData.row(new long[] {5}, new long[] {4, 2}, 0));
            TensorData d = CausalLmData.toTensorData(rows, 2, m);
            assertArrayEquals(new long[] {5, 6, 7, 8, 9, 2, 5, 4, 2, 2, 2, 2}, d.features().toLongArray());
            assertArrayEquals(new long[] {X, X, X, 8, 9, 2, X, 4, 2, X, X, X}, d.labels().toLongArray());
        }
    }

    @Test
    void truncationKeepsThePromptAndCutsTheResponse() {
        CausalLmData.Row r = CausalLmData.row(new long[] {5, 6}, new long[] {8, 9, 2}, 3);
        assertArrayEquals(new long[] {5, 6, 8}, r.inputIds());
        assertArrayEquals(new long[] {X, X, 8}, r.labels());
    }

    @Test
    void chatFormatLearnsExactlyTheResponseAndEos() {
        try (HfTokenizer t = HfTokenizer.load(TokenizerFixtures.chatmlBpe()); NDManager m = NDManager.newBaseManager()) {
            InstructionExample e = InstructionExample.of("What is 2 plus 2?", "2 plus 2 is 4.");
            TensorData d = CausalLmData.tokenize(List.of(e), t, PromptFormat.CHAT, 0, m);
            long[] prompt = t.encodeChat(List.of(ChatMessage.user("What is 2 plus 2?")), true);
            long[] response = t.encode("2 plus 2 is 4.", false);
            long[] ids = d.features().toLongArray();
            long[] labels = d.labels().toLongArray();
            assertEquals(prompt.length + response.length + 1, ids.length);
            for (int i = 0; i < ids.length; i++) {
                assertEquals(i < prompt.length ? X : ids[i], labels[i], "position " + i);
            }
            assertEquals(2, ids[ids.length - 1]);
            assertEquals("2 plus 2 is 4.<|im_end|>", t.decode(java.util.Arrays.copyOfRange(ids, prompt.length, ids.length)));
            IllegalArgumentException tooShort = assertThrows(IllegalArgumentException.class,
                    () -> CausalLmData.tokenize(List.of(e), t, PromptFormat.CHAT, prompt.length, m));
            assertTrue(tooShort.getMessage().startsWith("example 1: its prompt has"), tooShort.getMessage());
        }
    }

    @Test
    void readsBothJsonlLayoutsAndNamesTheBadLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("d.jsonl");
        Files.writeString(f, "{\"prompt\": \"Hi\", \"response\": \"Yo\"}\n\n"
                + "{\"messages\": [{\"role\": \"system\", \"content\": \"S\"}, {\"role\": \"user\", \"content\": \"U\"},"
                + " {\"role\": \"assistant\", \"content\": \"A\"}]}\n");
        List<InstructionExample> ex = InstructionDataset.read(f);
        assertEquals(List.of(ChatMessage.user("Hi")), ex.get(0).context());
        assertEquals("Yo", ex.get(0).response());
        assertEquals(List.of(ChatMessage.system("S"), ChatMessage.user("U")), ex.get(1).context());
        assertEquals("A", ex.get(1).response());
        Files.writeString(f, "{\"prompt\": \"Hi\", \"response\": \"Yo\"}\n{\"prompt\": \"Hi\"}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InstructionDataset.read(f));
        assertTrue(e.getMessage().startsWith("d.jsonl line 2: "), e.getMessage());
        Files.writeString(f, "{\"messages\": [{\"role\": \"user\", \"content\": \"U\"}, {\"role\": \"user\", \"content\": \"V\"}]}\n");
        assertThrows(IllegalArgumentException.class, () -> InstructionDataset.read(f));
    }

    @Test
    void theShippedInstructionSetReads() {
        List<InstructionExample> ex = InstructionDataset.read(ShippedExamples.instructions());
        assertTrue(ex.size() >= 200 && ex.size() <= 400, "size " + ex.size());
    }
}
