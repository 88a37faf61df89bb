package org.loralab.lora.hf.bert;

import static org.loralab.lora.hf.bert.BertFixtures.assertClose;
import static org.loralab.lora.hf.bert.BertFixtures.flatFloats;
import static org.loralab.lora.hf.bert.BertFixtures.longs;

import ai.djl.ndarray.types.DataType;

import com.google.gson.JsonObject;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.loralab.lora.hf.LoadOptions;
import org.loralab.lora.testing.ManagedTest;

/** fp16 compute (the F32 weights rounded on load): the padded batch stays near the float64 reference. */
class HalfComputeTest extends ManagedTest {

    @ParameterizedTest
    @ValueSource(strings = {"bert", "roberta"})
    void fp16ComputeStaysNearTheReference(String name) {
        JsonObject e = BertFixtures.expected(name);
        LoadOptions fp16 = LoadOptions.builder().dtype(DataType.FLOAT16).build();
        try (SequenceClassifier cls = SequenceClassifier.load(BertFixtures.dir(name), fp16)) {
            float[] y = cls.logits(m, longs(e, "input_ids"), longs(e, "attention_mask"), longs(e, "token_type_ids"))
                    .toFloatArray();
            assertClose(flatFloats(e, "logits"), y, 2e-2, name + " fp16 logits");
        }
    }
}
