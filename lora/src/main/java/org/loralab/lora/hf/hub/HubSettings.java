package org.loralab.lora.hf.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/** The options with every unset value filled in from the environment, as huggingface_hub's constants.py does. */
record HubSettings(String endpoint, String token, Path cacheDir, boolean offline,
                   Duration metadataTimeout, Duration downloadTimeout) {
    static final String DEFAULT_ENDPOINT = "https://huggingface.co";
    private static final Set<String> TRUE_VALUES = Set.of("1", "ON", "YES", "TRUE");
    private static final int DEFAULT_TIMEOUT_S = 10;

    static HubSettings resolve(HubOptions o) {
        Function<String, String> env = name -> blankToNull(o.environment().apply(name));
        String endpoint = first(o.endpoint(), env.apply("HF_ENDPOINT"), DEFAULT_ENDPOINT).replaceAll("/+$", "");
        Path home = hfHome(env);
        Path cache = o.cacheDir() != null ? o.cacheDir()
                : pathOrNull(first(env.apply("HF_HUB_CACHE"), env.apply("HUGGINGFACE_HUB_CACHE")), env);
        if (cache == null) {
            cache = home.resolve("hub");
        }
        String token = o.token() != null ? o.token() : token(env, home);
        boolean offline = o.offline() != null ? o.offline()
                : isTrue(first(env.apply("HF_HUB_OFFLINE"), env.apply("TRANSFORMERS_OFFLINE")));
        return new HubSettings(endpoint, token, cache.toAbsolutePath().normalize(), offline,
                seconds(env.apply("HF_HUB_ETAG_TIMEOUT")), seconds(env.apply("HF_HUB_DOWNLOAD_TIMEOUT")));
    }

    private static Path hfHome(Function<String, String> env) {
        Path home = pathOrNull(env.apply("HF_HOME"), env);
        if (home != null) {
            return home;
        }
        Path xdg = pathOrNull(env.apply("XDG_CACHE_HOME"), env);
        return (xdg != null ? xdg : userHome(env).resolve(".cache")).resolve("huggingface");
    }

    private static String token(Function<String, String> env, Path home) {
        String fromEnv = env.apply("HF_TOKEN");
        if (fromEnv != null) {
            return fromEnv.strip();
        }
        Path file = pathOrNull(env.apply("HF_TOKEN_PATH"), env);
        if (file == null) {
            file = home.resolve("token");
        }
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return blankToNull(Files.readString(file, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Hugging Face token file " + file + ": " + e.getMessage(), e);
        }
    }

    private static Path userHome(Function<String, String> env) {
        return Path.of(first(env.apply("HOME"), System.getProperty("user.home")));
    }

    private static Path pathOrNull(String value, Function<String, String> env) {
        if (value == null) {
            return null;
        }
        if (value.equals("~") || value.startsWith("~/")) {
            return userHome(env).resolve(value.substring(1).replaceFirst("^/", ""));
        }
        return Path.of(value);
    }

    private static Duration seconds(String value) {
        if (value != null) {
            try {
                int s = Integer.parseInt(value.strip());
                if (s > 0) {
                    return Duration.ofSeconds(s);
                }
            } catch (NumberFormatException ignored) {
                // huggingface_hub also falls back to the default for a value that is not an integer
            }
        }
        return Duration.ofSeconds(DEFAULT_TIMEOUT_S);
    }

    static boolean isTrue(String value) {
        return value != null && TRUE_VALUES.contains(value.strip().toUpperCase(Locale.ROOT));
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
