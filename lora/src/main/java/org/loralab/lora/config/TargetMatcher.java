package org.loralab.lora.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.loralab.lora.util.EditDistance;

/**
 * PEFT's module selection (spec §1.1, {@code check_target_module_exists}) on dotted paths, plus the
 * helpers for {@code rank_pattern}/{@code alpha_pattern} and for "did you mean" error messages.
 */
public final class TargetMatcher {
    private static final Pattern ANY_LAYER_INDEX = Pattern.compile("\\.[^.]*\\.(\\d+)\\.");

    private final AdapterConfig config;

    /** A matcher for one config. */
    public TargetMatcher(AdapterConfig config) {
        this.config = config;
    }

    /**
     * Whether the module at {@code path} gets an adapter, in PEFT's order: exclude_modules,
     * modules_to_save, target_modules, layers_to_transform. {@code isLinear} answers
     * {@code "all-linear"}.
     */
    public boolean isTarget(String path, boolean isLinear) {
        TargetModules ex = config.excludeModules();
        if (ex != null && ex.matches(path)) {
            return false;
        }
        if (isModuleToSave(path)) {
            return false;
        }
        TargetModules t = config.targetModules();
        if (t == null) {
            return false;
        }
        boolean hit = t.isAllLinear() ? isLinear : t.matches(path);
        if (!hit) {
            return false;
        }
        if (!t.isRegex() && config.layersToTransform() != null) {
            Integer idx = layerIndex(path, config.layersPattern());
            return idx != null && config.layersToTransform().contains(idx);
        }
        return true;
    }

    /** Whether {@code path} is inside a {@code modules_to_save} entry ({@code (^|.*\.)NAME($|\..*)}). */
    public boolean isModuleToSave(String path) {
        for (String name : config.modulesToSave()) {
            if (isModuleToSaveMatch(path, name)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code path} is exactly a {@code modules_to_save} module (exact or {@code .name} suffix). */
    public boolean isModuleToSaveRoot(String path) {
        for (String name : config.modulesToSave()) {
            if (TargetModules.matchesEntry(path, name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isModuleToSaveMatch(String path, String name) {
        return Pattern.compile("(^|.*\\.)" + Pattern.quote(name) + "($|\\..*)").matcher(path).matches();
    }

    /** PEFT's layer index: the digits after {@code .<layersPattern>.}, or after the first {@code .x.}. */
    public static Integer layerIndex(String path, String layersPattern) {
        Matcher m = layersPattern == null
                ? ANY_LAYER_INDEX.matcher("." + path + ".")
                : Pattern.compile("\\." + Pattern.quote(layersPattern) + "\\.(\\d+)\\.").matcher("." + path + ".");
        return m.find() ? Integer.valueOf(m.group(1)) : null;
    }

    /**
     * PEFT's {@code get_pattern_key}: the first key (insertion order) for which
     * {@code (.*\.)?(key)$} matches the start of the path, or null.
     */
    public static String patternKey(Collection<String> keys, String path) {
        for (String key : keys) {
            if (Pattern.compile("(.*\\.)?(" + key + ")$").matcher(path).lookingAt()) {
                return key;
            }
        }
        return null;
    }

    /** The list entries of {@code targets} that match none of {@code paths} (empty for a regex). */
    public static List<String> unmatchedEntries(TargetModules targets, Collection<String> paths) {
        List<String> out = new ArrayList<>();
        for (String entry : targets.names()) {
            boolean any = false;
            for (String p : paths) {
                if (TargetModules.matchesEntry(p, entry)) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                out.add(entry);
            }
        }
        return out;
    }

    /** Up to {@code k} paths closest to {@code wanted} (edit distance on the last components and the whole path). */
    public static List<String> nearest(String wanted, Collection<String> paths, int k) {
        String w = wanted.toLowerCase(Locale.ROOT);
        List<String> sorted = new ArrayList<>(paths);
        sorted.removeIf(String::isEmpty);
        sorted.sort(Comparator.comparingInt((String p) -> distance(w, p.toLowerCase(Locale.ROOT)))
                .thenComparing(Comparator.naturalOrder()));
        return sorted.subList(0, Math.min(k, sorted.size()));
    }

    private static int distance(String wanted, String path) {
        int best = EditDistance.levenshtein(wanted, path);
        String[] parts = path.split("\\.");
        String suffix = "";
        for (int i = parts.length - 1; i >= 0; i--) {
            suffix = suffix.isEmpty() ? parts[i] : parts[i] + "." + suffix;
            best = Math.min(best, EditDistance.levenshtein(wanted, suffix));
        }
        return best;
    }
}
