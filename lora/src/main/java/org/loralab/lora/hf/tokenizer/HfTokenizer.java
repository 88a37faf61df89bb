package org.loralab.lora.hf.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A Hugging Face tokenizer from a model directory: {@code tokenizer.json} through DJL's HuggingFaceTokenizer (the
 * Rust {@code tokenizers} library, its native library bundled in the jar, so it works offline), with
 * {@code tokenizer_config.json}'s special tokens, add_bos_token/add_eos_token, padding side and chat template.
 *
 * <p>Special tokens: when tokenizer_config.json sets add_bos_token or add_eos_token, those decide what
 * {@link #encode(String)} adds (transformers rebuilds the post-processor from them for Llama tokenizers); otherwise
 * tokenizer.json's post-processor does. Padding and truncation are done here, not by the native library, so the
 * side and the masks are explicit.
 */
public final class HfTokenizer implements AutoCloseable {
    private final HuggingFaceTokenizer native_;
    private final TokenizerSettings settings;
    private final Path dir;
    private final OptionalLong bos;
    private final OptionalLong eos;
    private final OptionalLong pad;
    private final OptionalLong unk;

    private HfTokenizer(HuggingFaceTokenizer tokenizer, TokenizerSettings settings, Path dir) {
        this.native_ = tokenizer;
        this.settings = settings;
        this.dir = dir;
        this.bos = idOf(settings.bosToken(), "bos_token");
        this.eos = idOf(settings.eosToken(), "eos_token");
        this.pad = idOf(settings.padToken(), "pad_token");
        this.unk = idOf(settings.unkToken(), "unk_token");
    }

    /** Loads {@code dir/tokenizer.json} with {@code tokenizer_config.json} and {@code special_tokens_map.json}. */
    public static HfTokenizer load(Path dir) {
        Path file = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(dir + " has no tokenizer.json (only fast tokenizers are supported: "
                    + "save one with transformers' tokenizer.save_pretrained, which writes tokenizer.json)");
        }
        TokenizerSettings settings = TokenizerSettings.read(dir);
        HuggingFaceTokenizer t;
        try {
            t = HuggingFaceTokenizer.newInstance(file, Map.of("addSpecialTokens", "false", "padding", "false",
                    "truncation", "false"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": the tokenizers library could not read it ("
                    + firstLine(e.getMessage()) + ")");
        }
        try {
            return new HfTokenizer(t, settings, dir);
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    private static String firstLine(String s) {
        return s == null ? "no message" : s.lines().findFirst().orElse("");
    }

    private OptionalLong idOf(String token, String key) {
        if (token == null) {
            return OptionalLong.empty();
        }
        long[] ids = native_.encode(token, false, false).getIds();
        if (ids.length != 1) {
            throw new IllegalArgumentException(dir.resolve("tokenizer_config.json") + ": " + key + " \"" + token
                    + "\" is not one token of tokenizer.json (it encodes to " + ids.length + " tokens)");
        }
        return OptionalLong.of(ids[0]);
    }

    public TokenizerSettings settings() {
        return settings;
    }

    public OptionalLong bosId() {
        return bos;
    }

    public OptionalLong eosId() {
        return eos;
    }

    /** The pad token; the EOS token when there is none (what causal-LM recipes set: pad_token = eos_token). */
    public OptionalLong padId() {
        return pad.isPresent() ? pad : eos;
    }

    public OptionalLong unkId() {
        return unk;
    }

    /** Token ids of {@code text} with the special tokens the tokenizer adds (BOS/EOS as configured). */
    public long[] encode(String text) {
        return encode(text, true);
    }

    public long[] encode(String text, boolean addSpecialTokens) {
        if (!addSpecialTokens) {
            return native_.encode(text, false, false).getIds();
        }
        if (settings.addBosToken() == null && settings.addEosToken() == null) {
            return native_.encode(text, true, false).getIds();
        }
        long[] ids = native_.encode(text, false, false).getIds();
        boolean addBos = Boolean.TRUE.equals(settings.addBosToken()) && bos.isPresent();
        boolean addEos = Boolean.TRUE.equals(settings.addEosToken()) && eos.isPresent();
        long[] out = new long[ids.length + (addBos ? 1 : 0) + (addEos ? 1 : 0)];
        int at = 0;
        if (addBos) {
            out[at++] = bos.getAsLong();
        }
        System.arraycopy(ids, 0, out, at, ids.length);
        if (addEos) {
            out[out.length - 1] = eos.getAsLong();
        }
        return out;
    }

    /** The token strings of {@code text} (no special tokens added), for display. */
    public String[] tokens(String text) {
        Encoding e = native_.encode(text, false, false);
        return e.getTokens();
    }

    public String decode(long[] ids) {
        return decode(ids, false);
    }

    public String decode(long[] ids, boolean skipSpecialTokens) {
        return native_.decode(ids, skipSpecialTokens);
    }

    /**
     * Encodes {@code texts} as one batch padded to its longest row ({@code side}), each row cut to
     * {@code maxLength} first when it is positive (keeping the start, transformers' default truncation side).
     */
    public BatchEncoding batch(List<String> texts, Padding side, int maxLength, boolean addSpecialTokens) {
        List<long[]> rows = new ArrayList<>();
        for (String t : texts) {
            rows.add(encode(t, addSpecialTokens));
        }
        return pad(rows, side, maxLength);
    }

    /** As {@link #batch(List, Padding, int, boolean)} with the tokenizer's padding side, no truncation, specials on. */
    public BatchEncoding batch(List<String> texts) {
        return batch(texts, settings.paddingSide(), 0, true);
    }

    /** Pads (and with a positive {@code maxLength} first truncates) already-encoded rows. */
    public BatchEncoding pad(List<long[]> rows, Padding side, int maxLength) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("nothing to encode: the batch is empty");
        }
        long padToken = padId().orElseThrow(() -> new IllegalStateException(
                "the tokenizer has neither a pad_token nor an eos_token to pad with: set one in tokenizer_config.json"));
        int length = 0;
        List<long[]> cut = new ArrayList<>();
        for (long[] r : rows) {
            long[] c = maxLength > 0 && r.length > maxLength ? Arrays.copyOf(r, maxLength) : r;
            cut.add(c);
            length = Math.max(length, c.length);
        }
        long[][] ids = new long[cut.size()][length];
        long[][] mask = new long[cut.size()][length];
        for (int i = 0; i < cut.size(); i++) {
            long[] r = cut.get(i);
            int offset = side == Padding.LEFT ? length - r.length : 0;
            Arrays.fill(ids[i], padToken);
            System.arraycopy(r, 0, ids[i], offset, r.length);
            Arrays.fill(mask[i], offset, offset + r.length, 1L);
        }
        return new BatchEncoding(ids, mask);
    }

    /** The recognised chat template; throws a one-line UnsupportedOperationException when there is none usable. */
    public ChatTemplate chatTemplate() {
        return ChatTemplate.of(settings.chatTemplate(), settings.bosToken(), settings.eosToken());
    }

    /** transformers' {@code apply_chat_template(messages, tokenize=False, add_generation_prompt=...)}. */
    public String applyChatTemplate(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return chatTemplate().apply(messages, addGenerationPrompt);
    }

    /** The chat as token ids: the template already holds the special tokens, so none are added (as transformers). */
    public long[] encodeChat(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return encode(applyChatTemplate(messages, addGenerationPrompt), false);
    }

    public Path directory() {
        return dir;
    }

    @Override
    public void close() {
        native_.close();
    }
}
