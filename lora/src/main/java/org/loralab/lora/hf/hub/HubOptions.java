package org.loralab.lora.hf.hub;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * What {@link Hub#snapshot(String, String, HubOptions)} may be told. Anything left unset comes from the
 * environment as huggingface_hub reads it ({@code HF_ENDPOINT}, {@code HF_TOKEN}, {@code HF_HUB_CACHE},
 * {@code HF_HOME}, {@code HF_HUB_OFFLINE}, ...), through {@link Builder#environment} so tests need not touch the
 * real environment.
 */
public final class HubOptions {
    private final String endpoint;
    private final String token;
    private final Path cacheDir;
    private final Boolean offline;
    private final List<String> allowPatterns;
    private final List<String> ignorePatterns;
    private final ProgressListener progress;
    private final Function<String, String> environment;

    private HubOptions(Builder b) {
        this.endpoint = b.endpoint;
        this.token = b.token;
        this.cacheDir = b.cacheDir;
        this.offline = b.offline;
        this.allowPatterns = b.allowPatterns;
        this.ignorePatterns = b.ignorePatterns;
        this.progress = b.progress;
        this.environment = b.environment;
    }

    public static HubOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** null: from {@code HF_ENDPOINT}, else https://huggingface.co. */
    public String endpoint() { return endpoint; }
    /** null: from {@code HF_TOKEN}, else the token file. */
    public String token() { return token; }
    /** null: from {@code HF_HUB_CACHE}, else {@code $HF_HOME/hub}. */
    public Path cacheDir() { return cacheDir; }
    /** null: from {@code HF_HUB_OFFLINE}. */
    public Boolean offline() { return offline; }
    /** The files to fetch, fnmatch patterns as in snapshot_download; null: {@link FilePatterns#MODEL_FILES}. */
    public List<String> allowPatterns() { return allowPatterns; }
    public List<String> ignorePatterns() { return ignorePatterns; }
    public ProgressListener progress() { return progress; }
    public Function<String, String> environment() { return environment; }

    public static final class Builder {
        private String endpoint;
        private String token;
        private Path cacheDir;
        private Boolean offline;
        private List<String> allowPatterns;
        private List<String> ignorePatterns = List.of();
        private ProgressListener progress = ProgressListener.NONE;
        private Function<String, String> environment = System::getenv;

        private Builder() {}

        public Builder endpoint(String endpoint) { this.endpoint = endpoint; return this; }
        public Builder token(String token) { this.token = token; return this; }
        public Builder cacheDir(Path cacheDir) { this.cacheDir = cacheDir; return this; }
        public Builder offline(boolean offline) { this.offline = offline; return this; }
        public Builder allowPatterns(List<String> patterns) { this.allowPatterns = List.copyOf(patterns); return this; }
        public Builder ignorePatterns(List<String> patterns) { this.ignorePatterns = List.copyOf(patterns); return this; }
        public Builder progress(ProgressListener progress) { this.progress = Objects.requireNonNull(progress); return this; }
        /** Where environment variables are looked up (default {@code System::getenv}); returns null when unset. */
        public Builder environment(Function<String, String> lookup) { this.environment = Objects.requireNonNull(lookup); return this; }

        public HubOptions build() {
            return new HubOptions(this);
        }
    }
}
