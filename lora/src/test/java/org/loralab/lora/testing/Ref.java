package org.loralab.lora.testing;

/** Plain float maths for reference outputs (row-major matrices as float[rows][cols]). */
public final class Ref {
    private Ref() {}

    public static float[][] matrix(float[] flat, int rows, int cols) {
        float[][] m = new float[rows][cols];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(flat, i * cols, m[i], 0, cols);
        }
        return m;
    }

    public static float[] flat(float[][] m) {
        int c = m.length == 0 ? 0 : m[0].length;
        float[] f = new float[m.length * c];
        for (int i = 0; i < m.length; i++) {
            System.arraycopy(m[i], 0, f, i * c, c);
        }
        return f;
    }

    /** x [n,in] times w^T (w [out,in]) plus bias (may be null). */
    public static float[][] linear(float[][] x, float[][] w, float[] b) {
        int n = x.length;
        int out = w.length;
        float[][] y = new float[n][out];
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < out; o++) {
                double s = b == null ? 0 : b[o];
                for (int k = 0; k < w[o].length; k++) {
                    s += (double) x[i][k] * w[o][k];
                }
                y[i][o] = (float) s;
            }
        }
        return y;
    }

    public static float[][] add(float[][] a, float[][] b, double scale) {
        float[][] y = new float[a.length][a[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                y[i][j] = (float) (a[i][j] + scale * b[i][j]);
            }
        }
        return y;
    }

    public static float[][] relu(float[][] a) {
        float[][] y = new float[a.length][];
        for (int i = 0; i < a.length; i++) {
            y[i] = a[i].clone();
            for (int j = 0; j < y[i].length; j++) {
                y[i][j] = Math.max(0, y[i][j]);
            }
        }
        return y;
    }

    public static float[][] logSoftmax(float[][] a) {
        float[][] y = new float[a.length][a[0].length];
        for (int i = 0; i < a.length; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (float v : a[i]) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (float v : a[i]) {
                sum += Math.exp(v - max);
            }
            double lse = max + Math.log(sum);
            for (int j = 0; j < a[i].length; j++) {
                y[i][j] = (float) (a[i][j] - lse);
            }
        }
        return y;
    }

    /** B [out,r] @ A [r,in]. */
    public static float[][] matmul(float[][] b, float[][] a) {
        float[][] y = new float[b.length][a[0].length];
        for (int i = 0; i < b.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                double s = 0;
                for (int k = 0; k < a.length; k++) {
                    s += (double) b[i][k] * a[k][j];
                }
                y[i][j] = (float) s;
            }
        }
        return y;
    }

    /** Kolmogorov-Smirnov statistic of samples against a CDF. */
    public static double ks(float[] samples, java.util.function.DoubleUnaryOperator cdf) {
        double[] s = new double[samples.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = samples[i];
        }
        java.util.Arrays.sort(s);
        double d = 0;
        int n = s.length;
        for (int i = 0; i < n; i++) {
            double f = cdf.applyAsDouble(s[i]);
            d = Math.max(d, Math.max(f - (double) i / n, (double) (i + 1) / n - f));
        }
        return d;
    }

    /** Standard normal CDF (Abramowitz-Stegun 7.1.26 erf, error < 1.5e-7). */
    public static double normalCdf(double z) {
        double x = Math.abs(z) / Math.sqrt(2);
        double t = 1 / (1 + 0.3275911 * x);
        double erf = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t
                * Math.exp(-x * x);
        return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
    }
}
