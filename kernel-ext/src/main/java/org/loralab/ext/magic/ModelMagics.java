package org.loralab.ext.magic;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.loralab.ext.Lab;
import org.loralab.ext.render.Html;
import org.loralab.ext.render.TableHtml;
import org.loralab.lora.hf.HfModel;
import org.loralab.lora.hf.causal.CausalLmLoss;
import org.loralab.lora.hf.causal.PromptFormat;
import org.loralab.lora.hf.generate.GenerationConfig;
import org.loralab.lora.hf.llama.CausalLm;
import org.loralab.lora.hf.tokenizer.HfTokenizer;
import org.loralab.lora.train.NamedParams;
import org.loralab.lora.train.TensorData;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * {@code %model} (load a Hugging Face model with its tokenizer, describe it, tokenize instruction data for
 * {@code %%train}) and {@code %generate} / {@code %%generate} (stream a continuation into the cell). Thin layers over
 * {@link Lab#loadModel}, {@link Lab#instructionData} and {@link Lab#generate}; options are checked before anything
 * changes.
 */
public final class ModelMagics {
    private ModelMagics() {}

    static final Set<String> LOAD_KEYS = Options.keys("dtype");
    static final Set<String> DATA_KEYS = Options.keys("format", "max_length");
    static final Set<String> GENERATE_KEYS = Options.keys("max_new_tokens", "temperature", "top_k", "top_p", "seed",
            "do_sample", "chat");

    public static final List<MagicHelp> HELP = List.of(
            new MagicHelp("%model load", "%model load DIR_OR_HUB_ID [dtype=fp32|bf16]",
                    "Lab.loadModel(DIR, \"fp32\") (HfModels.load + HfTokenizer.load; makes it the current model)"),
            new MagicHelp("%model info", "%model info", "Lab.hfModel().config(); Lab.tokenizer()"),
            new MagicHelp("%model data", "%model data FILE.jsonl [format=chat|plain max_length=256]",
                    "Lab.instructionData(Path.of(FILE), PromptFormat.CHAT, 256) (CausalLmData + CausalLmLoss)"),
            new MagicHelp("%generate", "%generate [max_new_tokens=64 temperature=0.7 top_k=50 top_p=0.9 seed=0 "
                    + "do_sample=false chat=false] PROMPT (%%generate: the prompt is the cell body)",
                    "Lab.generate(PROMPT, GenerationConfig.builder()...build(), chat)"));

    // ------------------------------------------------------------------ %model

    public static Object model(List<String> args) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("%model: use %model load DIR_OR_HUB_ID [dtype=fp32|bf16], %model info "
                    + "or %model data FILE.jsonl [format=chat|plain max_length=N]");
        }
        String sub = args.get(0).toLowerCase(Locale.ROOT);
        List<String> rest = args.subList(1, args.size());
        switch (sub) {
            case "load": {
                if (rest.isEmpty()) {
                    throw new IllegalArgumentException("%model: load needs a directory or Hub id: %model load DIR_OR_HUB_ID");
                }
                Options o = Options.ofWords("%model", rest.subList(1, rest.size()), LOAD_KEYS);
                String dtype = o.string("dtype", "fp32");
                HfModel m = Lab.loadModel(rest.get(0), dtype);
                Lab.show("<p>" + Html.escape(summary(m, dtype)) + "</p>", "text/html");
                return null;
            }
            case "info":
                if (!rest.isEmpty()) {
                    throw new IllegalArgumentException("%model: info takes no options, got " + rest);
                }
                Lab.show(TableHtml.render(info(Lab.hfModel())), "text/html");
                return null;
            case "data": {
                if (rest.isEmpty()) {
                    throw new IllegalArgumentException("%model: data needs a JSONL file: %model data FILE.jsonl");
                }
                Options o = Options.ofWords("%model", rest.subList(1, rest.size()), DATA_KEYS);
                PromptFormat format = format(o.string("format", "chat"));
                int maxLength = o.integer("max_length", 256);
                TensorData d = Lab.instructionData(Path.of(rest.get(0)), format, maxLength);
                Lab.show("<p>" + Html.escape(dataSummary(d, format)) + "</p>", "text/html");
                return null;
            }
            default:
                throw new IllegalArgumentException("%model: unknown sub-command '" + args.get(0)
                        + "'; use load, info or data");
        }
    }

    static String summary(HfModel m, String dtype) {
        long params = NamedParams.count(NamedParams.all(m.block()));
        String arch = m.config().architectures().isEmpty() ? m.config().modelType()
                : String.join(", ", m.config().architectures());
        return String.format(Locale.ROOT, "loaded %s (%s) from %s: %,d parameters, %s; %s", m.family(), arch,
                m.config().directory(), params, dtype.toLowerCase(Locale.ROOT), tokenizerLine());
    }

    private static String tokenizerLine() {
        HfTokenizer t;
        try {
            t = Lab.tokenizer();
        } catch (IllegalStateException none) {
            return "no tokenizer.json";
        }
        String chat;
        try {
            chat = "chat template " + t.chatTemplate().format().name().toLowerCase(Locale.ROOT);
        } catch (UnsupportedOperationException e) {
            chat = "no usable chat template";
        }
        return "tokenizer.json loaded, " + chat;
    }

    static Table info(HfModel m) {
        StringColumn key = StringColumn.create("property");
        StringColumn value = StringColumn.create("value");
        add(key, value, "family", m.family());
        add(key, value, "model_type", m.config().modelType());
        add(key, value, "architectures", String.join(", ", m.config().architectures()));
        add(key, value, "directory", String.valueOf(m.config().directory()));
        add(key, value, "parameters", String.format(Locale.ROOT, "%,d", NamedParams.count(NamedParams.all(m.block()))));
        for (String k : new String[] {"hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads",
                "vocab_size", "max_position_embeddings", "torch_dtype"}) {
            if (m.config().has(k)) {
                add(key, value, k, String.valueOf(m.config().raw(k)));
            }
        }
        add(key, value, "tokenizer", tokenizerLine());
        add(key, value, "current model", Lab.current() instanceof org.loralab.lora.inject.AdaptedModel a
                ? "adapted (" + String.join(", ", a.adapterNames()) + ")" : "base");
        return Table.create("model", key, value);
    }

    private static void add(StringColumn k, StringColumn v, String key, String value) {
        k.append(key);
        v.append(value);
    }

    private static PromptFormat format(String s) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "chat":
                return PromptFormat.CHAT;
            case "plain":
                return PromptFormat.PLAIN;
            default:
                throw new IllegalArgumentException("%model: format must be chat or plain, got " + s);
        }
    }

    static String dataSummary(TensorData d, PromptFormat format) {
        long[] labels = d.labels().toLongArray();
        long learned = 0;
        for (long l : labels) {
            if (l != CausalLmLoss.IGNORE_INDEX) {
                learned++;
            }
        }
        return String.format(Locale.ROOT, "training data: %d examples (%s format), %d tokens a row after padding, "
                + "%d response tokens learned (prompt and padding ignored)", d.size(),
                format.name().toLowerCase(Locale.ROOT), d.features().getShape().get(1), learned);
    }

    // ------------------------------------------------------------------ %generate

    /** {@code %generate [key=value ...] PROMPT}: options first, the rest of the line is the prompt. */
    public static Object generate(List<String> args) {
        List<String> options = new ArrayList<>();
        int i = 0;
        while (i < args.size() && isOption(args.get(i))) {
            options.add(args.get(i++));
        }
        String prompt = String.join(" ", args.subList(i, args.size()));
        return run(options, prompt, "%generate");
    }

    /** {@code %%generate [key=value ...]} with the prompt as the cell body (newlines kept). */
    public static Object generateCell(List<String> args, String body) {
        return run(args, body == null ? "" : body.strip(), "%%generate");
    }

    private static boolean isOption(String word) {
        int eq = word.indexOf('=');
        return eq > 0 && GENERATE_KEYS.contains(word.substring(0, eq).toLowerCase(Locale.ROOT));
    }

    private static Object run(List<String> words, String prompt, String magic) {
        Options o = Options.ofWords(magic, words, GENERATE_KEYS);
        if (prompt.isEmpty()) {
            throw new IllegalArgumentException(magic + ": give a prompt (%generate [options] PROMPT, or the body of %%generate)");
        }
        GenerationConfig cfg = config(o);
        Lab.generate(prompt, cfg, o.flag("chat", false));
        return null;
    }

    /**
     * The model's generation_config.json defaults with the options on top (max_new_tokens 64 unless given); a sampling
     * option (temperature, top_k, top_p) turns sampling on unless do_sample=false says otherwise.
     */
    static GenerationConfig config(Options o) {
        GenerationConfig.Builder b = Lab.hfModel() instanceof CausalLm lm ? lm.generationConfig().toBuilder()
                : GenerationConfig.builder();
        b.maxNewTokens(o.integer("max_new_tokens", 64));
        if (o.has("do_sample")) {
            b.doSample(o.flag("do_sample", false));
        } else if (o.has("temperature") || o.has("top_k") || o.has("top_p")) {
            b.doSample(true);
        }
        if (o.has("temperature")) {
            b.temperature(o.number("temperature", 1.0));
        }
        if (o.has("top_k")) {
            b.topK(o.integer("top_k", 50));
        }
        if (o.has("top_p")) {
            b.topP(o.number("top_p", 1.0));
        }
        if (o.has("seed")) {
            b.seed(o.longValue("seed", 0));
        }
        return b.build();
    }
}
