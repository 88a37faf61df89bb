package org.loralab.lora.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Record;
import ai.djl.util.Progress;

/**
 * A DJL {@link RandomAccessDataset} over an in-memory {@link FashionMnistSplit}. Records are created on demand in
 * the batch's manager, so nothing is held in native memory between batches. Use {@code optLimit} for fast runs.
 */
public final class FashionMnistDataset extends RandomAccessDataset {
    private final FashionMnistSplit split;
    private final boolean flatten;

    private FashionMnistDataset(Builder builder) {
        super(builder);
        this.split = builder.split;
        this.flatten = builder.flatten;
    }

    public static Builder builder(FashionMnistSplit split) {
        return new Builder(split);
    }

    public FashionMnistSplit split() {
        return split;
    }

    @Override
    public Record get(NDManager manager, long index) {
        int i = Math.toIntExact(index);
        Shape shape = flatten ? new Shape((long) split.rows() * split.cols()) : new Shape(1, split.rows(), split.cols());
        NDArray image = manager.create(split.image(i), shape);
        NDArray label = manager.create((float) split.label(i));
        return new Record(new NDList(image), new NDList(label));
    }

    @Override
    protected long availableSize() {
        return split.size();
    }

    @Override
    public void prepare(Progress progress) {
        // already in memory
    }

    /** Builder in DJL's style: {@code setSampling(batch, shuffle)}, {@code optLimit(n)}, {@code optFlatten}. */
    public static final class Builder extends BaseBuilder<Builder> {
        private final FashionMnistSplit split;
        private boolean flatten;

        private Builder(FashionMnistSplit split) {
            this.split = split;
        }

        /** Data shape [rows*cols] instead of [1, rows, cols] (for an MLP). */
        public Builder optFlatten(boolean flatten) {
            this.flatten = flatten;
            return this;
        }

        @Override
        protected Builder self() {
            return this;
        }

        public FashionMnistDataset build() {
            return new FashionMnistDataset(this);
        }
    }
}
