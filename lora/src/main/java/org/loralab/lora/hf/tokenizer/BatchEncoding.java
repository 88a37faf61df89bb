package org.loralab.lora.hf.tokenizer;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/** Rows of token ids padded to one length, with attention masks (1 = token, 0 = padding), as transformers returns. */
public record BatchEncoding(long[][] inputIds, long[][] attentionMask) {

    public int size() {
        return inputIds.length;
    }

    public int length() {
        return inputIds.length == 0 ? 0 : inputIds[0].length;
    }

    /** input_ids and attention_mask as INT64 arrays [rows, length]. */
    public NDList toNDList(NDManager manager) {
        return new NDList(manager.create(inputIds), manager.create(attentionMask));
    }
}
