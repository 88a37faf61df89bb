package org.loralab.lora.hf.bert;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.loralab.lora.hf.HfConfig;
import org.loralab.lora.hf.HfModel;
import org.loralab.lora.hf.HfModels;
import org.loralab.lora.hf.LoadOptions;
import org.loralab.lora.hf.StateDicts;
import org.loralab.lora.io.safetensors.TensorSource;

/**
 * A loaded {@code BertForSequenceClassification} or {@code RobertaForSequenceClassification}: module paths
 * {@code bert.embeddings...} / {@code roberta.encoder.layer.N.attention.self.query} ... and {@code classifier}, as
 * in the checkpoint, so PEFT's {@code target_modules=["query","value"]} and {@code modules_to_save=["classifier"]}
 * apply unchanged. Token ids in, logits out.
 *
 * <pre>{@code
 * try (SequenceClassifier cls = SequenceClassifier.load(dir)) {
 *     NDArray logits = cls.logits(manager, new long[][] {{101, 2023, 102}}, new long[][] {{1, 1, 1}});
 * }
 * }</pre>
 */
public final class SequenceClassifier extends HfModel {
    private final Model model;
    private final BertConfig bert;

    private SequenceClassifier(HfConfig config, Model model, BertConfig bert) {
        super(config, BertFamily.NAME);
        this.model = model;
        this.bert = bert;
    }

    /** Loads a BERT / RoBERTa sequence-classification directory in fp32. */
    public static SequenceClassifier load(Path dir) {
        return load(dir, LoadOptions.defaults());
    }

    /** Loads a BERT / RoBERTa sequence-classification directory; another architecture is refused. */
    public static SequenceClassifier load(Path dir, LoadOptions options) {
        HfModel m = HfModels.load(dir, options);
        if (m instanceof SequenceClassifier c) {
            return c;
        }
        m.close();
        throw new IllegalArgumentException(dir + " holds a " + m.config().architectures() + " checkpoint, not a"
                + " BERT/RoBERTa sequence classifier");
    }

    static SequenceClassifier load(HfConfig config, BertConfig c, TensorSource weights, LoadOptions options) {
        String e = c.prefix() + ".embeddings.";
        // older checkpoints saved the embeddings' position_ids / token_type_ids buffers; they are recomputed
        return load(config, c, weights, options, Map.of(), Set.of(e + "position_ids", e + "token_type_ids"));
    }

    /**
     * transformers' {@code AutoModelForSequenceClassification.from_pretrained(dir, id2label=..., label2id=...)} on a
     * BERT / RoBERTa checkpoint of any architecture ({@code BertModel}, {@code BertForMaskedLM},
     * {@code RobertaForMaskedLM}, a sequence classifier with other labels...): its encoder with a new, randomly
     * initialised {@code classifier} for {@code labels} (weights normal with std {@code initializer_range}, seeded
     * by {@code seed}; biases 0). A BERT checkpoint without a pooler gets a new pooler the same way. The checkpoint's
     * other heads ({@code lm_head}, {@code cls}, an old {@code classifier}) are not used.
     */
    public static SequenceClassifier forNewLabels(Path dir, List<String> labels, LoadOptions options, long seed) {
        return NewClassificationHead.load(dir, labels, options, seed);
    }

    static SequenceClassifier load(HfConfig config, BertConfig c, TensorSource weights, LoadOptions options,
            Map<String, String> renames, Set<String> ignore) {
        SequenceClassificationBlock block = new SequenceClassificationBlock(c);
        Model model = options.device() == null ? Model.newInstance(c.prefix()) : Model.newInstance(c.prefix(),
                options.device());
        try {
            model.setDataType(options.dtype());
            model.setBlock(block);
            // zeros: no random init to pay for; every parameter is overwritten from the checkpoint
            block.setInitializer(Initializer.ZEROS, p -> true);
            Shape ids = new Shape(1, 1);
            block.initialize(model.getNDManager(), options.dtype(), ids, ids, ids);
            StateDicts.load(block, weights, options.dtype(), renames, ignore);
            return new SequenceClassifier(config, model, c);
        } catch (RuntimeException | Error ex) {
            model.close();
            throw ex;
        }
    }

    @Override
    public Model model() {
        return model;
    }

    public BertConfig bertConfig() {
        return bert;
    }

    /** Label of each class index (id2label). */
    public List<String> labels() {
        return bert.labels();
    }

    /** Logits [B, labels] as float32; token type 0 everywhere. */
    public NDArray logits(NDManager manager, long[][] inputIds, long[][] attentionMask) {
        return logits(manager, inputIds, attentionMask, null);
    }

    /** Logits [B, labels] as float32 of the current block (adapters included), without gradients. */
    public NDArray logits(NDManager manager, long[][] inputIds, long[][] attentionMask, long[][] tokenTypeIds) {
        NDList in = inputs(manager, inputIds, attentionMask, tokenTypeIds);
        NDArray y = block().forward(new ParameterStore(manager, false), in, false).singletonOrThrow();
        return y.getDataType() == DataType.FLOAT32 ? y : y.toType(DataType.FLOAT32, false);
    }

    /**
     * The block's inputs (input ids, attention mask, token type ids) as int64 arrays, for a training forward
     * {@code block().forward(ps, inputs, true)}; checked against the config. {@code tokenTypeIds} may be null (all 0).
     */
    public NDList inputs(NDManager manager, long[][] inputIds, long[][] attentionMask, long[][] tokenTypeIds) {
        int batch = inputIds.length;
        if (batch == 0 || inputIds[0].length == 0) {
            throw new IllegalArgumentException("inputIds is empty; give at least one row with one token");
        }
        int length = inputIds[0].length;
        long maxLength = bert.roberta() ? bert.maxPositions() - bert.padTokenId() - 1L : bert.maxPositions();
        if (length > maxLength) {
            throw new IllegalArgumentException("sequence length " + length + " exceeds the model's " + maxLength
                    + " positions (max_position_embeddings); truncate the inputs");
        }
        NDArray ids = matrix(manager, "inputIds", inputIds, length, bert.vocab());
        NDArray mask = matrix(manager, "attentionMask", attentionMask, length, 2);
        NDArray types = tokenTypeIds == null ? manager.zeros(new Shape(batch, length), DataType.INT64)
                : matrix(manager, "tokenTypeIds", tokenTypeIds, length, bert.typeVocab());
        if (mask.getShape().get(0) != batch || types.getShape().get(0) != batch) {
            throw new IllegalArgumentException("inputIds, attentionMask and tokenTypeIds must have the same rows");
        }
        return new NDList(ids, mask, types);
    }

    private static NDArray matrix(NDManager manager, String name, long[][] rows, int length, long bound) {
        long[] flat = new long[Math.multiplyExact(rows.length, length)];
        for (int b = 0; b < rows.length; b++) {
            if (rows[b].length != length) {
                throw new IllegalArgumentException(name + " row " + b + " has " + rows[b].length + " entries, row 0 has "
                        + length + "; pad every row to the same length");
            }
            for (int t = 0; t < length; t++) {
                long v = rows[b][t];
                if (v < 0 || v >= bound) {
                    throw new IllegalArgumentException(name + "[" + b + "][" + t + "] = " + v + " is outside 0.."
                            + (bound - 1));
                }
                flat[b * length + t] = v;
            }
        }
        return manager.create(flat, new Shape(rows.length, length));
    }

    /**
     * transformers' loss for the config's {@code problem_type}: cross-entropy on class indices [B] (int64),
     * binary cross-entropy with logits on multi-hot [B, labels], or mean squared error on targets.
     */
    public NDArray loss(NDArray logits, NDArray labels) {
        switch (bert.problemType()) {
            case SINGLE_LABEL:
                NDArray oneHot = labels.toType(DataType.INT64, false).oneHot(bert.labels().size())
                        .toType(logits.getDataType(), false);
                return logits.logSoftmax(-1).mul(oneHot).sum(new int[] {-1}).mean().neg();
            case MULTI_LABEL:
                NDArray y = labels.toType(logits.getDataType(), false);
                return logits.maximum(0).sub(logits.mul(y)).add(logits.abs().neg().exp().add(1).log()).mean();
            case REGRESSION:
                NDArray target = labels.toType(logits.getDataType(), false);
                NDArray pred = bert.labels().size() == 1 ? logits.reshape(target.getShape()) : logits;
                return pred.sub(target).square().mean();
            default:
                throw new AssertionError(bert.problemType());
        }
    }
}
