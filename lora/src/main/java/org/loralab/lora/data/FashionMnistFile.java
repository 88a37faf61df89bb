package org.loralab.lora.data;

/**
 * The four official Fashion-MNIST files with the SHA-256 of their DECOMPRESSED payloads (spec notebooks.md §5.3).
 * The gzip bytes differ between upstream, Debian and DJL mirrors; the payloads are identical.
 */
public enum FashionMnistFile {
    TRAIN_IMAGES("train-images-idx3-ubyte", 60_000,
            "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
    TRAIN_LABELS("train-labels-idx1-ubyte", 60_000,
            "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
    TEST_IMAGES("t10k-images-idx3-ubyte", 10_000,
            "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
    TEST_LABELS("t10k-labels-idx1-ubyte", 10_000,
            "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34");

    private final String baseName;
    private final int officialCount;
    private final String payloadSha256;

    FashionMnistFile(String baseName, int officialCount, String payloadSha256) {
        this.baseName = baseName;
        this.officialCount = officialCount;
        this.payloadSha256 = payloadSha256;
    }

    /** The file name without ".gz". */
    public String baseName() {
        return baseName;
    }

    public String gzName() {
        return baseName + ".gz";
    }

    public int officialCount() {
        return officialCount;
    }

    public String payloadSha256() {
        return payloadSha256;
    }
}
