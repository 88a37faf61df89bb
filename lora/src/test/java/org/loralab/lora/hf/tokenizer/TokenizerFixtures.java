package org.loralab.lora.hf.tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The generated ChatML byte-level BPE tokenizer (tools/hf-fixtures/make_tokenizer.py) in the test resources. */
public final class TokenizerFixtures {
    private TokenizerFixtures() {}

    public static Path chatmlBpe() {
        try {
            return Path.of(TokenizerFixtures.class.getResource("/org/loralab/lora/hf/tokenizer/chatml-bpe").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A copy of the fixture in {@code dir} with {@code tokenizer_config.json} replaced by {@code configJson}. */
    public static Path withConfig(Path dir, String configJson) {
        try {
            Files.copy(chatmlBpe().resolve("tokenizer.json"), dir.resolve("tokenizer.json"),
                    StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(dir.resolve("tokenizer_config.json"), configJson);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
