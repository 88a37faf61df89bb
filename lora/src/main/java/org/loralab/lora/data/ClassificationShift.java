package org.loralab.lora.data;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.ArrayDataset;
import java.util.Random;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * A small classification task with a distribution shift a low-rank update can fix. Source task: {@code classes}
 * Gaussian blobs in {@code dim} dimensions (means at distance {@code separation}, unit noise). Target task: the
 * same classes after rotating the inputs by {@code angle} in the plane spanned by the first two class means (the
 * directions that matter most for the classifier), so the ideal linear classifier
 * for the target is the source one times {@code Rᵀ}: a rank-2 change of the weights. Pretrain on {@link #source()},
 * fine-tune with LoRA on {@link #target()}.
 */
public final class ClassificationShift {
    /** One split: features [n, dim] and labels in [0, classes). */
    public record Split(String name, float[][] features, int[] labels) {
        public int size() {
            return labels.length;
        }

        /** A DJL dataset of (x [dim], label float32 scalar), owned by {@code manager}. */
        public ArrayDataset dataset(NDManager manager, int batchSize, boolean shuffle) {
            float[] lab = new float[labels.length];
            for (int i = 0; i < lab.length; i++) {
                lab[i] = labels[i];
            }
            return new ArrayDataset.Builder()
                    .setData(manager.create(LowRankRegression.flatten(features),
                            new Shape(features.length, features[0].length)))
                    .optLabels(manager.create(lab, new Shape(lab.length)))
                    .setSampling(batchSize, shuffle)
                    .build();
        }

        /** Columns split, label, x0...; one row per example. */
        public Table toTable() {
            Table t = Table.create("classification shift: " + name);
            String[] names = new String[labels.length];
            java.util.Arrays.fill(names, name);
            t.addColumns(StringColumn.create("split", names), IntColumn.create("label", labels));
            for (int j = 0; j < features[0].length; j++) {
                t.addColumns(LowRankRegression.column("x" + j, features, j));
            }
            return t;
        }
    }

    private final float[][] means;
    private final double[][] rotation;
    private final Split source;
    private final Split target;

    private ClassificationShift(float[][] means, double[][] rotation, Split source, Split target) {
        this.means = means;
        this.rotation = rotation;
        this.source = source;
        this.target = target;
    }

    /**
     * @param dim        input dimension (>= 2)
     * @param classes    number of classes (>= 2)
     * @param perClass   examples per class in each split (in fast mode at most 64)
     * @param separation scale of the class means
     * @param angle      rotation angle in radians of the target inputs
     * @param seed       all draws come from this seed
     */
    public static ClassificationShift create(int dim, int classes, int perClass, double separation, double angle,
            long seed) {
        if (dim < 2 || classes < 2 || perClass < 1) {
            throw new IllegalArgumentException("need dim >= 2, classes >= 2, perClass >= 1; got " + dim + ", "
                    + classes + ", " + perClass);
        }
        int n = (int) FastMode.limit(perClass, 64);
        Random rnd = new Random(seed);
        float[][] means = new float[classes][dim];
        for (float[] mu : means) {
            for (int j = 0; j < dim; j++) {
                mu[j] = (float) (separation * rnd.nextGaussian() / Math.sqrt(dim) * Math.sqrt(2));
            }
        }
        double[][] rot = planeRotation(means[0], means[1], angle);
        Split source = sample("source", means, null, n, rnd);
        Split target = sample("target", means, rot, n, rnd);
        return new ClassificationShift(means, rot, source, target);
    }

    /** I + (cos θ - 1)(u uᵀ + v vᵀ) + sin θ (v uᵀ - u vᵀ), u and v orthonormalised from a and b. */
    private static double[][] planeRotation(float[] a, float[] b, double angle) {
        int dim = a.length;
        double[] u = new double[dim];
        double[] v = new double[dim];
        for (int j = 0; j < dim; j++) {
            u[j] = a[j];
            v[j] = b[j];
        }
        normalize(u);
        double dot = 0;
        for (int j = 0; j < dim; j++) {
            dot += u[j] * v[j];
        }
        for (int j = 0; j < dim; j++) {
            v[j] -= dot * u[j];
        }
        normalize(v);
        double c = Math.cos(angle) - 1;
        double s = Math.sin(angle);
        double[][] r = new double[dim][dim];
        for (int i = 0; i < dim; i++) {
            for (int j = 0; j < dim; j++) {
                r[i][j] = (i == j ? 1 : 0) + c * (u[i] * u[j] + v[i] * v[j]) + s * (v[i] * u[j] - u[i] * v[j]);
            }
        }
        return r;
    }

    private static void normalize(double[] a) {
        double n = 0;
        for (double x : a) {
            n += x * x;
        }
        n = Math.sqrt(n);
        for (int i = 0; i < a.length; i++) {
            a[i] /= n;
        }
    }

    private static Split sample(String name, float[][] means, double[][] rot, int perClass, Random rnd) {
        int classes = means.length;
        int dim = means[0].length;
        float[][] x = new float[classes * perClass][dim];
        int[] labels = new int[classes * perClass];
        double[] raw = new double[dim];
        for (int i = 0; i < x.length; i++) {
            int c = i % classes; // interleaved classes
            labels[i] = c;
            for (int j = 0; j < dim; j++) {
                raw[j] = means[c][j] + rnd.nextGaussian();
            }
            for (int j = 0; j < dim; j++) {
                double v = raw[j];
                if (rot != null) {
                    v = 0;
                    for (int k = 0; k < dim; k++) {
                        v += rot[j][k] * raw[k];
                    }
                }
                x[i][j] = (float) v;
            }
        }
        return new Split(name, x, labels);
    }

    public Split source() {
        return source;
    }

    public Split target() {
        return target;
    }

    /** Class means of the source task, [classes, dim]. */
    public float[][] classMeans() {
        return means;
    }

    /** The rotation R [dim, dim] applied to target inputs (x_target = R x_source). */
    public double[][] rotation() {
        return rotation;
    }
}
