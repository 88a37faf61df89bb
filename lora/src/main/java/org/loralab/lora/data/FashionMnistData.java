package org.loralab.lora.data;

import java.nio.file.Path;

/**
 * Fashion-MNIST as loaded: both splits, where they came from and how they were checked.
 *
 * @param source       which place in the search order supplied the files
 * @param location     the folder the files were read from
 * @param verification how the payloads were checked (e.g. "payload SHA-256 matches the official checksums")
 */
public record FashionMnistData(FashionMnistSplit train, FashionMnistSplit test, Source source, Path location,
        String verification) {

    /** Where the files were found, in the loader's search order. */
    public enum Source {
        /** a folder passed to {@link FashionMnist.Loader#path(Path)} */
        EXPLICIT_PATH,
        /** the folder named by the environment variable {@code LORALAB_FASHION_MNIST} */
        ENVIRONMENT,
        /** the committed subset under the repository's {@code datasets/fashion-mnist/} */
        REPO_SUBSET,
        /** {@code /usr/share/datasets/fashion-mnist} (Debian package dataset-fashion-mnist) */
        SYSTEM_PACKAGE,
        /** the opt-in download cache */
        DOWNLOAD
    }

    /** One line saying what was loaded, from where, and how it was verified. */
    public String description() {
        return String.format("Fashion-MNIST: %,d train + %,d test from %s (%s); %s", train.size(), test.size(),
                source.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '), location, verification);
    }

    @Override
    public String toString() {
        return description();
    }
}
