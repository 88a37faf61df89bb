package org.loralab.lora.hf.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.loralab.lora.hf.bert.BertFixtures.assertClose;
import static org.loralab.lora.hf.bert.BertFixtures.flatFloats;
import static org.loralab.lora.hf.bert.BertFixtures.longs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

import com.google.gson.JsonObject;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.loralab.lora.hf.HfModel;
import org.loralab.lora.hf.HfModels;
import org.loralab.lora.hf.LoadOptions;
import org.loralab.lora.hf.StateDicts;
import org.loralab.lora.io.safetensors.Safetensors;
import org.loralab.lora.io.safetensors.TensorSource;
import org.loralab.lora.testing.ManagedTest;

/** The tiny BERT and RoBERTa checkpoints against the independent Python forward of make_bert_fixture.py. */
class BertCheckpointTest extends ManagedTest {

    @ParameterizedTest
    @ValueSource(strings = {"bert", "roberta"})
    void paddedBatchGivesTheReferenceLogits(String name) {
        JsonObject e = BertFixtures.expected(name);
        try (SequenceClassifier cls = SequenceClassifier.load(BertFixtures.dir(name))) {
            NDArray y = cls.logits(m, longs(e, "input_ids"), longs(e, "attention_mask"), longs(e, "token_type_ids"));
            assertEquals(new Shape(4, 3), y.getShape());
            assertClose(flatFloats(e, "logits"), y.toFloatArray(), 1e-4, name + " logits");
        }
    }

    /**
     * Right padding changes nothing: each such row's logits equal the row's own logits without its pad tokens. (A
     * left-padded row, also in the batch, differs: the head reads token 0, as in transformers; its reference logits
     * above are what checks RoBERTa's position ids counted over the non-pad tokens.)
     */
    @ParameterizedTest
    @ValueSource(strings = {"bert", "roberta"})
    void paddedRowsEqualTheirUnpaddedLogits(String name) {
        JsonObject e = BertFixtures.expected(name);
        long[][] ids = longs(e, "input_ids");
        long[][] types = longs(e, "token_type_ids");
        float[] unpadded = flatFloats(e, "unpadded_logits");
        try (SequenceClassifier cls = SequenceClassifier.load(BertFixtures.dir(name))) {
            float[] padded = cls.logits(m, ids, longs(e, "attention_mask"), types).toFloatArray();
            int compared = 0;
            for (int b = 0; b < ids.length; b++) {
                if (e.getAsJsonArray("left_padded").get(b).getAsBoolean()) {
                    continue;
                }
                compared++;
                int n = e.getAsJsonArray("lengths").get(b).getAsInt();
                long[][] row = {Arrays.copyOf(ids[b], n)};
                long[][] ones = {new long[n]};
                Arrays.fill(ones[0], 1);
                float[] alone = cls.logits(m, row, ones, new long[][] {Arrays.copyOf(types[b], n)}).toFloatArray();
                float[] mine = Arrays.copyOfRange(padded, 3 * b, 3 * b + 3);
                assertClose(alone, mine, 1e-5, name + " row " + b + " padded vs alone");
                assertClose(Arrays.copyOfRange(unpadded, 3 * b, 3 * b + 3), alone, 1e-4, name + " row " + b);
            }
            assertEquals(3, compared);
            assertTrue(ids[1][ids[1].length - 1] == cls.bertConfig().padTokenId(), "row 1 must end in padding");
        }
    }

    /** HfModels dispatches on architectures; the block's state-dict names are exactly the checkpoint's. */
    @ParameterizedTest
    @ValueSource(strings = {"bert", "roberta"})
    void loadsThroughHfModelsWithTheCheckpointsNames(String name) {
        try (HfModel model = HfModels.load(BertFixtures.dir(name), LoadOptions.defaults());
                TensorSource src = Safetensors.openCheckpoint(BertFixtures.dir(name))) {
            SequenceClassifier cls = assertInstanceOf(SequenceClassifier.class, model);
            assertEquals("bert", model.family());
            assertEquals(List.of("negative", "neutral", "positive"), cls.labels());
            assertEquals(ProblemType.SINGLE_LABEL, cls.bertConfig().problemType());
            Map<String, Parameter> params = StateDicts.parameters(model.block());
            assertEquals(new TreeSet<>(src.tensors().keySet()), new TreeSet<>(params.keySet()));
            Set<String> names = params.keySet();
            assertTrue(names.contains(name + ".encoder.layer.1.attention.self.query.weight"), names.toString());
            assertTrue(names.contains(name + ".embeddings.LayerNorm.weight"), names.toString());
        }
    }
}
