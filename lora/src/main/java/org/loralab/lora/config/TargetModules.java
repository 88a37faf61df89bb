package org.loralab.lora.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A PEFT module selector: either a list of names (exact dotted path or a {@code .name} suffix)
 * or one regular expression that must match the whole dotted path ({@code re.fullmatch}).
 * {@link #ALL_LINEAR} is PEFT's {@code "all-linear"}.
 */
public final class TargetModules {
    /** PEFT's special string "all-linear": every Linear layer. */
    public static final TargetModules ALL_LINEAR = new TargetModules(null, "all-linear");

    private final List<String> names;
    private final String regex;
    private final Pattern pattern;

    private TargetModules(List<String> names, String regex) {
        this.names = names;
        this.regex = regex;
        this.pattern = regex == null || "all-linear".equals(regex) ? null : Pattern.compile(regex);
    }

    /** A list selector: each entry matches a path exactly or as a {@code .entry} suffix. */
    public static TargetModules of(String... names) {
        return of(List.of(names));
    }

    /** A list selector (duplicates dropped, order kept). */
    public static TargetModules of(List<String> names) {
        Objects.requireNonNull(names, "names");
        if (names.isEmpty()) {
            throw new IllegalArgumentException("target module list is empty; give at least one name");
        }
        for (String n : names) {
            if (n == null || n.isBlank()) {
                throw new IllegalArgumentException("target module names must not be blank: " + names);
            }
        }
        return new TargetModules(Collections.unmodifiableList(new ArrayList<>(new LinkedHashSet<>(names))), null);
    }

    /** A regex selector matched against the whole dotted path; "all-linear" gives {@link #ALL_LINEAR}. */
    public static TargetModules regex(String regex) {
        Objects.requireNonNull(regex, "regex");
        if ("all-linear".equals(regex)) {
            return ALL_LINEAR;
        }
        try {
            return new TargetModules(null, regex);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new IllegalArgumentException("target module regex '" + regex + "' is invalid: " + e.getDescription());
        }
    }

    /** True for a regex selector (including all-linear). */
    public boolean isRegex() {
        return regex != null;
    }

    /** True for PEFT's "all-linear". */
    public boolean isAllLinear() {
        return "all-linear".equals(regex);
    }

    /** The list entries (empty for a regex). */
    public List<String> names() {
        return names == null ? List.of() : names;
    }

    /** The regex source (null for a list). */
    public String regexSource() {
        return regex;
    }

    /** PEFT list/regex rule for one dotted path (all-linear answers false here; the injector checks kinds). */
    public boolean matches(String path) {
        if (pattern != null) {
            return pattern.matcher(path).matches();
        }
        if (names != null) {
            for (String n : names) {
                if (matchesEntry(path, n)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** List rule for one entry: exact path or {@code .entry} suffix. */
    public static boolean matchesEntry(String path, String entry) {
        return path.equals(entry) || path.endsWith("." + entry);
    }

    /** The value PEFT writes in adapter_config.json: a list or a string. */
    public Object toJsonValue() {
        return regex != null ? regex : names;
    }

    @Override
    public String toString() {
        return regex != null ? "'" + regex + "'" : names.toString();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TargetModules)) {
            return false;
        }
        TargetModules t = (TargetModules) o;
        return Objects.equals(names == null ? null : new LinkedHashSet<>(names),
                        t.names == null ? null : new LinkedHashSet<>(t.names))
                && Objects.equals(regex, t.regex);
    }

    @Override
    public int hashCode() {
        return Objects.hash(names == null ? null : new LinkedHashSet<>(names), regex);
    }
}
