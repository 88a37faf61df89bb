package org.loralab.lora.hf.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.loralab.lora.hf.bert.BertFixtures.assertClose;
import static org.loralab.lora.hf.bert.BertFixtures.longs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;

import com.google.gson.JsonObject;

import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.hf.HfConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.io.safetensors.Safetensors;
import org.loralab.lora.io.safetensors.TensorInfo;
import org.loralab.lora.io.safetensors.TensorSource;
import org.loralab.lora.testing.ManagedTest;

/** The LoRA paper's GLUE setting on a loaded BERT / RoBERTa: r=8 on query,value, the classifier saved and trained. */
class BertLoraTest extends ManagedTest {
    private static final int R = 8;

    private static AdapterConfig.Builder recipe() {
        return AdapterConfig.builder().r(R).alpha(16).targetModules("query", "value").dropout(0.1).bias("none")
                .modulesToSave("classifier").seed(0);
    }

    /** Scalars of transformers' Bert/RobertaForSequenceClassification, from the config alone. */
    static long baseParameters(BertConfig c) {
        long d = c.hidden();
        long f = c.intermediate();
        long embeddings = ((long) c.vocab() + c.maxPositions() + c.typeVocab()) * d + 2 * d;
        long layer = 4 * (d * d + d) + (d * f + f) + (f * d + d) + 4 * d;
        long pooler = c.roberta() ? 0 : d * d + d;
        return embeddings + c.layers() * layer + pooler + head(c);
    }

    /** BERT: Linear(hidden, labels); RoBERTa: dense(hidden, hidden) + out_proj(hidden, labels). */
    static long head(BertConfig c) {
        long d = c.hidden();
        long n = c.labels().size();
        return d * n + n + (c.roberta() ? d * d + d : 0);
    }

    /** PEFT: r x in for lora_A plus out x r for lora_B, on query and value of every layer. */
    static long loraParameters(BertConfig c) {
        return (long) c.layers() * 2 * ((long) R * c.hidden() + (long) c.hidden() * R);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bert", "roberta"})
    void loadedModelGetsPeftsTrainableCountsAndUnchangedOutputs(String name) {
        JsonObject e = BertFixtures.expected(name);
        long[][] ids = longs(e, "input_ids");
        long[][] mask = longs(e, "attention_mask");
        try (SequenceClassifier cls = SequenceClassifier.load(BertFixtures.dir(name));
                TensorSource src = Safetensors.openCheckpoint(BertFixtures.dir(name))) {
            BertConfig c = cls.bertConfig();
            long checkpoint = src.tensors().values().stream().mapToLong(TensorInfo::elements).sum();
            assertEquals(checkpoint, baseParameters(c), "the formula counts the checkpoint's scalars");
            float[] before = cls.logits(m, ids, mask).toFloatArray();
            AdaptedModel am = AdaptedModel.inject(cls.model(), recipe().build());
            assertEquals(loraParameters(c) + head(c), am.trainableParameters());
            assertEquals(baseParameters(c) + loraParameters(c) + head(c), am.allParameters());
            assertEquals(2 * c.layers(), am.layers().size());
            assertTrue(am.trainableParameterMap().containsKey(
                    name + ".encoder.layer.1.attention.self.value.lora_B.default.weight"),
                    am.trainableParameterMap().keySet().toString());
            // lora_B starts at zero and the saved classifier is a copy: the outputs do not move
            assertClose(before, cls.logits(m, ids, mask).toFloatArray(), 1e-6f, "logits after injection");
        }
    }

    /**
     * PEFT's LoRA sequence-classification example on roberta-base (2 labels, r=8 on query,value, classifier in
     * modules_to_save) prints trainable 887,042 of 125,534,212.
     */
    @Test
    void robertaBaseHasPeftsFigures() {
        HfConfig config = HfConfig.parse(Path.of("roberta-base", "config.json"),
                "{\"model_type\": \"roberta\", \"vocab_size\": 50265, \"hidden_size\": 768,"
                        + " \"num_hidden_layers\": 12, \"num_attention_heads\": 12, \"intermediate_size\": 3072,"
                        + " \"hidden_act\": \"gelu\", \"max_position_embeddings\": 514, \"type_vocab_size\": 1,"
                        + " \"pad_token_id\": 1, \"layer_norm_eps\": 1e-05}");
        assertTrue(new BertFamily().supports(config));
        BertConfig c = BertConfig.from(config);
        assertEquals(2, c.labels().size());
        assertEquals(887_042L, loraParameters(c) + head(c));
        assertEquals(125_534_212L, baseParameters(c) + loraParameters(c) + head(c));
    }

    /**
     * A few Adam steps on a toy task (memorise three classes of six sentences): the loss falls, the adapters and
     * the classifier's trainable copy move, and every other tensor (the base, the original classifier) stays put.
     */
    @ParameterizedTest
    @ValueSource(strings = {"bert", "roberta"})
    void trainingMovesOnlyAdaptersAndClassifierAndLowersTheLoss(String name) {
        try (SequenceClassifier cls = SequenceClassifier.load(BertFixtures.dir(name))) {
            long pad = cls.bertConfig().padTokenId();
            long[][] ids = {{5, 17, 23, 9}, {40, 41, 42, pad}, {60, 61, 7, 8}, {5, 18, 23, pad},
                    {40, 44, 42, 43}, {60, 63, pad, pad}};
            long[][] mask = new long[ids.length][];
            for (int b = 0; b < ids.length; b++) {
                mask[b] = new long[ids[b].length];
                for (int t = 0; t < ids[b].length; t++) {
                    mask[b][t] = ids[b][t] == pad ? 0 : 1;
                }
            }
            NDArray labels = m.create(new long[] {0, 1, 2, 0, 1, 2});
            AdaptedModel am = AdaptedModel.inject(cls.model(), recipe().build());
            Map<Parameter, float[]> before = new IdentityHashMap<>();
            for (Pair<String, Parameter> p : am.block().getParameters()) {
                before.put(p.getValue(), p.getValue().getArray().toFloatArray());
            }
            float initial = cls.loss(cls.logits(m, ids, mask), labels).getFloat();
            DefaultTrainingConfig tc = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.01f)).build());
            try (Trainer trainer = am.newTrainer(tc)) {
                for (int step = 0; step < 20; step++) {
                    // the CPU engine's rare garbage backward (README, "Limits"; Fit guards against it): recompute
                    for (int attempt = 0; attempt < 3; attempt++) {
                        try (GradientCollector gc = trainer.newGradientCollector()) {
                            NDList in = cls.inputs(m, ids, mask, null);
                            gc.backward(cls.loss(trainer.forward(in).singletonOrThrow(), labels));
                        }
                        if (finiteGradients(am)) {
                            break;
                        }
                    }
                    trainer.step();
                }
            }
            float trained = cls.loss(cls.logits(m, ids, mask), labels).getFloat();
            assertTrue(trained < 0.5f * initial, name + ": loss " + initial + " -> " + trained);
            IdentityHashMap<Parameter, String> trainable = new IdentityHashMap<>();
            am.trainableParameterMap().forEach((k, v) -> trainable.put(v.parameter(), k));
            assertEquals(2 * 2 * cls.bertConfig().layers() + (name.equals("bert") ? 2 : 4), trainable.size(),
                    trainable.values().toString());
            int frozen = 0;
            for (Pair<String, Parameter> p : am.block().getParameters()) {
                float[] now = p.getValue().getArray().toFloatArray();
                double moved = 0;
                for (int i = 0; i < now.length; i++) {
                    moved = Math.max(moved, Math.abs(now[i] - before.get(p.getValue())[i]));
                }
                if (trainable.containsKey(p.getValue())) {
                    assertTrue(moved > 1e-4, trainable.get(p.getValue()) + " should move, moved " + moved);
                } else {
                    assertEquals(0.0, moved, p.getKey() + " is not trainable and must not move");
                    frozen++;
                }
            }
            assertTrue(frozen > trainable.size(), "the base must be there and frozen: " + frozen);
        }
    }

    private static boolean finiteGradients(AdaptedModel am) {
        for (var p : am.trainableParameterMap().values()) {
            NDArray g = p.parameter().getArray().getGradient();
            boolean bad = g.isNaN().any().getBoolean() || g.isInfinite().any().getBoolean();
            if (bad) {
                return false;
            }
        }
        return true;
    }
}
