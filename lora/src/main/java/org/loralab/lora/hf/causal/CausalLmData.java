package org.loralab.lora.hf.causal;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.loralab.lora.hf.tokenizer.HfTokenizer;
import org.loralab.lora.train.TensorData;

/**
 * Instruction examples as causal-LM training data for {@code Fit}: features are the input ids [N, T] and labels the
 * same ids [N, T] with the prompt tokens and the padding set to {@link CausalLmLoss#IGNORE_INDEX}, so only the
 * response (and its EOS) is learned. Rows are right-padded to the longest row: with causal attention a real token
 * never attends to padding after it, so padding changes neither the logits nor the loss of a row.
 *
 * <p>The prompt and the response are encoded separately and concatenated, so the prompt's tokens are exactly those
 * generation later sees for the same prompt.
 */
public final class CausalLmData {
    private CausalLmData() {}

    /** One row before padding: ids and labels of equal length. */
    public record Row(long[] inputIds, long[] labels) {}

    public static TensorData tokenize(List<InstructionExample> examples, HfTokenizer tokenizer, PromptFormat format,
            int maxLength, NDManager manager) {
        long pad = tokenizer.padId().orElseThrow(() -> new IllegalArgumentException(
                "the tokenizer has neither pad_token nor eos_token: set one in tokenizer_config.json"));
        long[] eos = tokenizer.eosId().isPresent() ? new long[] {tokenizer.eosId().getAsLong()} : new long[0];
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            InstructionExample e = examples.get(i);
            long[] prompt = format == PromptFormat.CHAT ? tokenizer.encodeChat(e.context(), true)
                    : tokenizer.encode(e.plainPrompt());
            long[] response = concat(tokenizer.encode(e.response(), false), eos);
            if (maxLength > 0 && prompt.length >= maxLength) {
                throw new IllegalArgumentException("example " + (i + 1) + ": its prompt has " + prompt.length
                        + " tokens, so max_length=" + maxLength + " leaves no response token to learn; raise max_length");
            }
            rows.add(row(prompt, response, maxLength));
        }
        return toTensorData(rows, pad, manager);
    }

    /** Prompt then response, cut to {@code maxLength} when positive; labels ignore the prompt. */
    public static Row row(long[] prompt, long[] response, int maxLength) {
        long[] ids = concat(prompt, response);
        long[] labels = ids.clone();
        Arrays.fill(labels, 0, prompt.length, CausalLmLoss.IGNORE_INDEX);
        if (maxLength > 0 && ids.length > maxLength) {
            ids = Arrays.copyOf(ids, maxLength);
            labels = Arrays.copyOf(labels, maxLength);
        }
        return new Row(ids, labels);
    }

    /** Right-pads the rows to the longest with {@code pad} (labels: ignored) as INT64 [N, T] arrays. */
    public static TensorData toTensorData(List<Row> rows, long pad, NDManager manager) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no examples to tokenize");
        }
        int length = rows.stream().mapToInt(r -> r.inputIds().length).max().orElse(0);
        long[][] ids = new long[rows.size()][length];
        long[][] labels = new long[rows.size()][length];
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            Arrays.fill(ids[i], pad);
            Arrays.fill(labels[i], CausalLmLoss.IGNORE_INDEX);
            System.arraycopy(r.inputIds(), 0, ids[i], 0, r.inputIds().length);
            System.arraycopy(r.labels(), 0, labels[i], 0, r.labels().length);
        }
        return new TensorData(manager.create(ids), manager.create(labels));
    }

    private static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
