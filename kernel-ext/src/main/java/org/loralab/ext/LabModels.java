package org.loralab.ext;

import ai.djl.ndarray.types.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.loralab.ext.live.GenerationView;
import org.loralab.lora.hf.HfModel;
import org.loralab.lora.hf.HfModels;
import org.loralab.lora.hf.LoadOptions;
import org.loralab.lora.hf.causal.CausalLmData;
import org.loralab.lora.hf.causal.CausalLmLoss;
import org.loralab.lora.hf.causal.InstructionDataset;
import org.loralab.lora.hf.causal.PromptFormat;
import org.loralab.lora.hf.generate.Generation;
import org.loralab.lora.hf.generate.GenerationConfig;
import org.loralab.lora.hf.llama.CausalLm;
import org.loralab.lora.hf.tokenizer.ChatMessage;
import org.loralab.lora.hf.tokenizer.HfTokenizer;
import org.loralab.lora.train.TensorData;

/**
 * The Hugging Face side of the Lab's working set: the loaded model and its tokenizer, and the calls behind
 * {@code %model} and {@code %generate} ({@link Lab#loadModel}, {@link Lab#generate}, {@link Lab#instructionData}).
 * A failing load or generation changes nothing the notebook had.
 */
final class LabModels {
    // guarded by Lab.class, the lock of the rest of the working set
    private static HfModel hf;
    private static HfTokenizer tokenizer;

    private LabModels() {}

    /** Called under Lab's lock (Lab.loadModel). */
    static HfModel load(String dirOrHubId, String dtype) {
        DataType type = dtype(dtype);
        HfModel loaded = HfModels.load(dirOrHubId, LoadOptions.builder().dtype(type).build());
        HfTokenizer tok = null;
        try {
            Path modelDir = loaded.config().directory();
            if (Files.isRegularFile(modelDir.resolve("tokenizer.json"))) {
                tok = HfTokenizer.load(modelDir);
            }
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
        HfModel previous = hf;
        HfTokenizer previousTokenizer = tokenizer;
        hf = loaded;
        tokenizer = tok;
        Lab.use(loaded.model());
        if (previous != null) {
            previous.close();
        }
        if (previousTokenizer != null) {
            previousTokenizer.close();
        }
        return loaded;
    }

    static DataType dtype(String name) {
        switch (name == null ? "fp32" : name.toLowerCase(Locale.ROOT)) {
            case "fp32":
            case "float32":
                return DataType.FLOAT32;
            case "bf16":
            case "bfloat16":
                return DataType.BFLOAT16;
            default:
                throw new IllegalArgumentException("dtype must be fp32 or bf16, got " + name);
        }
    }

    static HfModel model() {
        synchronized (Lab.class) {
            if (hf == null) {
                throw new IllegalStateException(
                        "no Hugging Face model: run %model load DIR_OR_HUB_ID (Lab.loadModel) first");
            }
            return hf;
        }
    }

    static HfTokenizer tokenizer() {
        synchronized (Lab.class) {
            HfModel m = model();
            if (tokenizer == null) {
                throw new IllegalStateException(m.config().directory() + " has no tokenizer.json, so text cannot be "
                        + "encoded; copy the model's tokenizer files next to config.json");
            }
            return tokenizer;
        }
    }

    /** The tokenizer, or null when there is no model or it came without one. */
    static HfTokenizer tokenizerOrNull() {
        synchronized (Lab.class) {
            return tokenizer;
        }
    }

    static CausalLm causalLm() {
        HfModel m = model();
        if (!(m instanceof CausalLm c)) {
            throw new IllegalStateException("the loaded model (" + m.family() + ") does not generate text; "
                    + "load a causal LM (Llama, Qwen2, Mistral)");
        }
        return c;
    }

    /** Tokenizes a JSONL instruction file with the loaded tokenizer and makes it the training data (causal-LM loss). */
    static TensorData instructionData(Path jsonl, PromptFormat format, int maxLength) {
        HfTokenizer t = tokenizer();
        TensorData data = CausalLmData.tokenize(InstructionDataset.read(jsonl), t, format, maxLength, Lab.manager());
        Lab.data(data, null, new CausalLmLoss());
        return data;
    }

    /**
     * Generates a continuation of {@code prompt} (as a user message through the chat template when {@code chat}),
     * streaming it into the cell; an interrupt (the stop button) ends it, keeping the text so far.
     */
    static String generate(String prompt, GenerationConfig config, boolean chat) {
        CausalLm lm = causalLm();
        HfTokenizer t = tokenizer();
        String text = chat ? t.applyChatTemplate(List.of(ChatMessage.user(prompt)), true) : prompt;
        long[] ids = chat ? t.encode(text, false) : t.encode(text);
        GenerationConfig cfg = config.stopTokens().isEmpty()
                ? config.toBuilder().stopTokens(stopTokens(lm, t)).build() : config;
        GenerationView view = new GenerationView(Lab.displayOrNull(), text);
        List<Long> out = new ArrayList<>();
        Generation g = lm.generate(ids, cfg, id -> {
            out.add(id);
            view.update(decode(t, out));
            return true; // the generation loop itself stops on an interrupt and keeps the tokens so far
        });
        String generated = t.decode(g.tokens(), true);
        int n = g.tokens().length;
        view.finish(generated, String.format(Locale.ROOT, "%d %s, %.1f tokens/s, %s", n, n == 1 ? "token" : "tokens",
                g.tokensPerSecond(), switch (g.finishReason()) {
                    case STOP -> "stopped at " + t.decode(new long[] {g.tokens()[g.tokens().length - 1]});
                    case LENGTH -> "max_new_tokens reached";
                    case INTERRUPTED -> "interrupted";
                }));
        return generated;
    }

    /** The model's generation_config.json eos tokens, else the tokenizer's eos token. */
    private static Set<Long> stopTokens(CausalLm lm, HfTokenizer t) {
        Set<Long> fromModel = lm.generationConfig().stopTokens();
        if (!fromModel.isEmpty()) {
            return fromModel;
        }
        return t.eosId().isPresent() ? Set.of(t.eosId().getAsLong()) : Set.of();
    }

    private static String decode(HfTokenizer t, List<Long> ids) {
        long[] a = new long[ids.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = ids.get(i);
        }
        return t.decode(a, true);
    }

    /** Called under Lab's lock (Lab.reset). */
    static void reset() {
        if (hf != null) {
            hf.close();
        }
        if (tokenizer != null) {
            tokenizer.close();
        }
        hf = null;
        tokenizer = null;
    }
}
