package org.loralab.lora.hf.causal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.hf.HfModel;
import org.loralab.lora.hf.HfModels;
import org.loralab.lora.hf.LoadOptions;
import org.loralab.lora.hf.tokenizer.HfTokenizer;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.train.Fit;
import org.loralab.lora.train.FitOptions;
import org.loralab.lora.train.StopReason;
import org.loralab.lora.train.TensorData;
import org.loralab.lora.train.TrainingReport;

/** The causal-LM path on the shipped tiny random-weight Llama (datasets/instructions/tiny-chat-llama). */
class CausalLmTrainingTest {
    static HfTokenizer tokenizer;
    static List<InstructionExample> examples;

    @BeforeAll
    static void load() {
        tokenizer = HfTokenizer.load(ShippedExamples.tinyChatLlama());
        examples = InstructionDataset.read(ShippedExamples.instructions());
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    static float loss(HfModel model, TensorData d, NDManager m) {
        NDList logits = model.block().forward(new ParameterStore(m, false), new NDList(d.features()), false);
        return new CausalLmLoss().evaluate(new NDList(d.labels()), logits).getFloat();
    }

    @Test
    void rightPaddingDoesNotChangeTheLossOfARow() {
        try (HfModel model = HfModels.load(ShippedExamples.tinyChatLlama(), LoadOptions.defaults());
                NDManager m = NDManager.newBaseManager()) {
            InstructionExample shortOne = InstructionExample.of("What is 2 plus 3?", "2 plus 3 is 5.");
            InstructionExample longOne = InstructionExample.of("What is the capital of Portugal, the country?",
                    "The capital of Portugal is Lisbon, a city by the sea.");
            TensorData alone = CausalLmData.tokenize(List.of(shortOne), tokenizer, PromptFormat.CHAT, 0, m);
            TensorData batch = CausalLmData.tokenize(List.of(shortOne, longOne), tokenizer, PromptFormat.CHAT, 0, m);
            long pad = batch.features().getShape().get(1) - alone.features().getShape().get(1);
            assertTrue(pad >= 5, "the short row is padded by " + pad);
            NDArray paddedRow = batch.features().get("0:1");
            TensorData padded = new TensorData(paddedRow, batch.labels().get("0:1"));
            float a = loss(model, alone, m);
            float p = loss(model, padded, m);
            assertTrue(Float.isFinite(a) && a > 0, "loss " + a);
            assertEquals(a, p, 1e-5 * a, "padding after the row changed its loss");
        }
    }

    @Test
    void afewLoraStepsOnQAndVReduceTheLoss() {
        try (HfModel model = HfModels.load(ShippedExamples.tinyChatLlama(), LoadOptions.defaults());
                NDManager m = NDManager.newBaseManager()) {
            TensorData data = CausalLmData.tokenize(examples.subList(0, 32), tokenizer, PromptFormat.CHAT, 64, m);
            float before = loss(model, data, m);
            AdaptedModel adapted = AdaptedModel.inject(model.model(), AdapterConfig.builder()
                    .targetModules(List.of("q_proj", "v_proj")).r(16).alpha(32).dropout(0.0).build());
            assertEquals(4, adapted.layers().size(), "q_proj and v_proj in 2 layers");
            TrainingReport r = Fit.fit(adapted, data, null, FitOptions.defaults().loss(new CausalLmLoss())
                    .steps(24).batchSize(8).lr(2e-2).seed(1));
            assertEquals(StopReason.COMPLETED, r.stopReason());
            float after = loss(model, data, m);
            // the untrained loss is about ln(512) = 6.2 nats; 24 steps must take off more than 10%
            assertTrue(after < 0.9 * before, "loss " + before + " -> " + after);
        }
    }
}
