package org.loralab.lora.models.pretrained;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.loralab.lora.data.FashionMnist;
import org.loralab.lora.data.FashionMnistData;
import org.loralab.lora.data.FashionMnistSplit;
import org.loralab.lora.data.FastMode;
import org.loralab.lora.train.TensorData;

/**
 * A classification task on some Fashion-MNIST classes, as in-memory tensors for {@link org.loralab.lora.train.Fit}:
 * features float32 [n, 1, 28, 28] in [0, 1], labels int64 relabelled {@code classes[i] -> i}.
 *
 * <p>The base is pretrained on classes 0-4 ({@link #pretraining}); the fine-tuning notebooks adapt it to 5-9
 * ({@link #shifted}), a task it has never seen, with the same 5-way head shape.
 *
 * @param name       e.g. "fashion-mnist classes 5-9"
 * @param classes    original labels, in new-label order
 * @param classNames their names
 * @param train      training tensors
 * @param test       held-out tensors
 * @param source     where the images came from (the loader's description)
 */
public record FashionTask(String name, int[] classes, List<String> classNames, TensorData train, TensorData test,
        String source) {

    /** Classes 0-4 (T-shirt/top, Trouser, Pullover, Dress, Coat): what the base is pretrained on. */
    public static final int[] PRETRAIN_CLASSES = {0, 1, 2, 3, 4};
    /** Classes 5-9 (Sandal, Shirt, Sneaker, Bag, Ankle boot): the new task the notebooks fine-tune to. */
    public static final int[] SHIFTED_CLASSES = {5, 6, 7, 8, 9};

    /** Full-mode caps for the fine-tuning task; fast mode uses {@link #FAST_TRAIN} / {@link #FAST_TEST}. */
    public static final int FULL_TRAIN = 2_000;
    public static final int FULL_TEST = 1_000;
    public static final int FAST_TRAIN = 160;
    public static final int FAST_TEST = 100;

    public FashionTask {
        classes = classes.clone();
        classNames = List.copyOf(classNames);
    }

    @Override
    public int[] classes() {
        return classes.clone();
    }

    /** The pretraining task of {@code spec} (its classes and example caps). */
    public static FashionTask pretraining(NDManager manager, BaseSpec spec) {
        return of(manager, spec.classes(), spec.trainExamples(), spec.testExamples());
    }

    /** Classes 5-9 relabelled 0-4, capped at {@link #FULL_TRAIN}/{@link #FULL_TEST} (fast mode: 160/100). */
    public static FashionTask shifted(NDManager manager) {
        return of(manager, SHIFTED_CLASSES, (int) FastMode.limit(FULL_TRAIN, FAST_TRAIN),
                (int) FastMode.limit(FULL_TEST, FAST_TEST));
    }

    /**
     * Any classes, at most {@code maxTrain}/{@code maxTest} examples each split (taken in file order, which is
     * class-balanced in both the full files and the committed subset). Outside fast mode the full official files are
     * used when present (Debian's dataset-fashion-mnist or {@code LORALAB_FASHION_MNIST}), else the repo's subset.
     */
    public static FashionTask of(NDManager manager, int[] classes, int maxTrain, int maxTest) {
        FashionMnistData data = loadData();
        FashionMnistSplit train = data.train().withClassesRelabelled(classes).head(maxTrain);
        FashionMnistSplit test = data.test().withClassesRelabelled(classes).head(maxTest);
        List<String> names = new ArrayList<>();
        for (int c : classes) {
            names.add(FashionMnistSplit.CLASS_NAMES.get(c));
        }
        return new FashionTask("fashion-mnist classes " + describe(classes), classes, names,
                tensors(manager, train), tensors(manager, test), data.description());
    }

    private static FashionMnistData loadData() {
        if (!FastMode.enabled()) {
            try {
                return FashionMnist.loader().requireFull().load();
            } catch (IllegalStateException e) {
                // no full copy on this machine: the committed subset below
            }
        }
        return FashionMnist.load();
    }

    /** A split as tensors in {@code manager}: images [n, 1, 28, 28] scaled to [0, 1], labels int64 [n]. */
    public static TensorData tensors(NDManager manager, FashionMnistSplit split) {
        int n = split.size();
        int px = split.rows() * split.cols();
        float[] x = new float[n * px];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(split.image(i), 0, x, i * px, px);
            y[i] = split.label(i);
        }
        return new TensorData(manager.create(x, new Shape(n, 1, split.rows(), split.cols())), manager.create(y));
    }

    static String describe(int[] classes) {
        boolean consecutive = true;
        for (int i = 1; i < classes.length; i++) {
            consecutive &= classes[i] == classes[i - 1] + 1;
        }
        return consecutive && classes.length > 2 ? classes[0] + "-" + classes[classes.length - 1]
                : Arrays.toString(classes);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%s: %d train, %d test (%s)", name, train.size(), test.size(),
                source);
    }
}
