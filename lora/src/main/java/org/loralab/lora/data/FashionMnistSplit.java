package org.loralab.lora.data;

import java.util.Arrays;
import java.util.List;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * One split (train or test) of Fashion-MNIST in memory: {@code count} grey images of rows x cols unsigned bytes
 * (0 = background) and their labels 0-9.
 */
public final class FashionMnistSplit {
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private final String name;
    private final int count;
    private final int rows;
    private final int cols;
    private final byte[] pixels;
    private final byte[] labels;

    public FashionMnistSplit(String name, Idx.Images images, byte[] labels) {
        if (images.count() != labels.length) {
            throw new IllegalArgumentException(name + ": " + images.count() + " images but " + labels.length
                    + " labels; the image and label files do not belong together");
        }
        this.name = name;
        this.count = images.count();
        this.rows = images.rows();
        this.cols = images.cols();
        this.pixels = images.pixels();
        this.labels = labels;
    }

    public String name() {
        return name;
    }

    public int size() {
        return count;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public int label(int index) {
        return labels[index] & 0xff;
    }

    /** Pixel (r, c) of image {@code index}, 0-255. */
    public int pixel(int index, int r, int c) {
        return pixels[index * rows * cols + r * cols + c] & 0xff;
    }

    /** Image {@code index} scaled to [0, 1], row-major, length rows*cols. */
    public float[] image(int index) {
        int size = rows * cols;
        float[] out = new float[size];
        for (int i = 0; i < size; i++) {
            out[i] = (pixels[index * size + i] & 0xff) / 255f;
        }
        return out;
    }

    /** Number of examples of each class 0-9. */
    public int[] classCounts() {
        int[] counts = new int[CLASS_NAMES.size()];
        for (byte l : labels) {
            counts[l & 0xff]++;
        }
        return counts;
    }

    /** The first {@code n} examples (or all when n >= size). */
    public FashionMnistSplit head(int n) {
        int k = Math.min(n, count);
        return select(name, java.util.stream.IntStream.range(0, k).toArray());
    }

    /** Only the examples whose label is in {@code classes} (labels unchanged), in file order. */
    public FashionMnistSplit withClasses(int... classes) {
        boolean[] keep = new boolean[CLASS_NAMES.size()];
        for (int c : classes) {
            keep[c] = true;
        }
        int[] idx = java.util.stream.IntStream.range(0, count).filter(i -> keep[label(i)]).toArray();
        return select(name + Arrays.toString(classes), idx);
    }

    /**
     * Only the examples of {@code classes}, relabelled {@code classes[i] -> i} (e.g. {@code 5, 6, 7, 8, 9} become
     * 0-4 for a 5-way head), in file order.
     */
    public FashionMnistSplit withClassesRelabelled(int... classes) {
        int[] newLabel = new int[CLASS_NAMES.size()];
        java.util.Arrays.fill(newLabel, -1);
        for (int i = 0; i < classes.length; i++) {
            if (classes[i] < 0 || classes[i] >= newLabel.length || newLabel[classes[i]] >= 0) {
                throw new IllegalArgumentException("classes must be distinct values in 0-9, got "
                        + Arrays.toString(classes));
            }
            newLabel[classes[i]] = i;
        }
        FashionMnistSplit kept = withClasses(classes);
        for (int i = 0; i < kept.labels.length; i++) {
            kept.labels[i] = (byte) newLabel[kept.labels[i] & 0xff];
        }
        return kept;
    }

    private FashionMnistSplit select(String newName, int[] indices) {
        int size = rows * cols;
        byte[] px = new byte[indices.length * size];
        byte[] lb = new byte[indices.length];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(pixels, indices[k] * size, px, k * size, size);
            lb[k] = labels[indices[k]];
        }
        return new FashionMnistSplit(newName, new Idx.Images(indices.length, rows, cols, px), lb);
    }

    /**
     * A DJL dataset over this split: data float32 [1, rows, cols] in [0, 1] (or [rows*cols] when flattened),
     * label float32 scalar. In fast mode the size is capped at {@code fastLimit}.
     */
    public FashionMnistDataset dataset(int batchSize, boolean shuffle, boolean flatten, long fastLimit) {
        return FashionMnistDataset.builder(this)
                .optFlatten(flatten)
                .setSampling(batchSize, shuffle)
                .optLimit(FastMode.limit(count, fastLimit))
                .build();
    }

    /** One row per example: index, label, class, mean intensity (0-1), ink fraction (pixels > 0). */
    public Table toTable() {
        IntColumn index = IntColumn.create("index");
        IntColumn label = IntColumn.create("label");
        StringColumn cls = StringColumn.create("class");
        DoubleColumn mean = DoubleColumn.create("mean_intensity");
        DoubleColumn ink = DoubleColumn.create("ink_fraction");
        int size = rows * cols;
        for (int i = 0; i < count; i++) {
            long sum = 0;
            int nonZero = 0;
            for (int p = 0; p < size; p++) {
                int v = pixels[i * size + p] & 0xff;
                sum += v;
                nonZero += v > 0 ? 1 : 0;
            }
            index.append(i);
            label.append(label(i));
            cls.append(CLASS_NAMES.get(label(i)));
            mean.append(sum / (255.0 * size));
            ink.append(nonZero / (double) size);
        }
        return Table.create("fashion-mnist " + name, index, label, cls, mean, ink);
    }

    /** One row per class: label, class, count. */
    public Table classTable() {
        IntColumn label = IntColumn.create("label");
        StringColumn cls = StringColumn.create("class");
        IntColumn n = IntColumn.create("count");
        int[] counts = classCounts();
        for (int c = 0; c < counts.length; c++) {
            label.append(c);
            cls.append(CLASS_NAMES.get(c));
            n.append(counts[c]);
        }
        return Table.create("fashion-mnist " + name + " classes", label, cls, n);
    }
}
