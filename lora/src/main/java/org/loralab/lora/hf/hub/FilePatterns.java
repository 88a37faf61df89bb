package org.loralab.lora.hf.hub;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which repository files a snapshot fetches: fnmatch-style globs as snapshot_download's allow/ignore patterns
 * ({@code *} also crosses {@code /}, a pattern ending in {@code /} means everything below that folder).
 */
public final class FilePatterns {
    /** What loading a model or a PEFT adapter needs; pickles ({@code *.bin}, {@code *.pt}) are never among them. */
    public static final List<String> MODEL_FILES = List.of(
            "config.json", "generation_config.json", "*.safetensors", "model.safetensors.index.json",
            "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "preprocessor_config.json",
            "adapter_config.json", "adapter_model.safetensors");

    private final List<Pattern> allow;
    private final List<Pattern> ignore;

    public FilePatterns(List<String> allowPatterns, List<String> ignorePatterns) {
        this.allow = compile(allowPatterns);
        this.ignore = compile(ignorePatterns);
    }

    public boolean accepts(String path) {
        return allow.stream().anyMatch(p -> p.matcher(path).matches())
                && ignore.stream().noneMatch(p -> p.matcher(path).matches());
    }

    public List<String> filter(List<String> paths) {
        return paths.stream().filter(this::accepts).toList();
    }

    private static List<Pattern> compile(List<String> globs) {
        List<Pattern> out = new ArrayList<>();
        for (String g : globs) {
            out.add(Pattern.compile(toRegex(g.endsWith("/") ? g + "*" : g), Pattern.DOTALL));
        }
        return out;
    }

    /** Python's fnmatch.translate: {@code *}, {@code ?}, {@code [seq]}, {@code [!seq]}; a lone {@code [} is literal. */
    static String toRegex(String glob) {
        StringBuilder re = new StringBuilder();
        int i = 0;
        while (i < glob.length()) {
            char c = glob.charAt(i++);
            if (c == '*') {
                re.append(".*");
            } else if (c == '?') {
                re.append('.');
            } else if (c == '[') {
                int j = i;
                if (j < glob.length() && glob.charAt(j) == '!') j++;
                if (j < glob.length() && glob.charAt(j) == ']') j++;
                while (j < glob.length() && glob.charAt(j) != ']') j++;
                if (j >= glob.length()) {
                    re.append("\\[");
                } else {
                    String body = glob.substring(i, j).replace("\\", "\\\\").replace("[", "\\[").replace("&", "\\&");
                    i = j + 1;
                    re.append('[').append(body.startsWith("!") ? "^" + body.substring(1) : body.startsWith("^") ? "\\" + body : body).append(']');
                }
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return re.toString();
    }
}
