package org.loralab.lora.hf.image;

/**
 * Resizing of 8-bit channels as Pillow's {@code Image.resize} does it (its separable resampling, libImaging
 * Resample.c): a horizontal then a vertical pass, each output sample a normalised weighted sum of the input samples
 * under the filter (whose support widens by the scale factor when shrinking, which anti-aliases), in Pillow's
 * 22-bit fixed point with the intermediate image rounded to 8 bits. So results match Pillow's byte for byte.
 */
public final class PilResize {
    private static final int PRECISION_BITS = 32 - 8 - 2;

    /** The filters of {@code PIL.Image.Resampling} implemented here, by their code in preprocessor_config.json. */
    public enum Filter {
        BILINEAR(2, 1.0),
        BICUBIC(3, 2.0);

        private final int code;
        private final double support;

        Filter(int code, double support) {
            this.code = code;
            this.support = support;
        }

        public int code() {
            return code;
        }

        /** The filter with PIL's {@code resample} code; one line naming the field otherwise. */
        public static Filter of(int code) {
            for (Filter f : values()) {
                if (f.code == code) {
                    return f;
                }
            }
            throw new IllegalArgumentException("resample " + code + " is not supported; supported: 2 (bilinear),"
                    + " 3 (bicubic)");
        }

        double weight(double x) {
            x = Math.abs(x);
            if (this == BILINEAR) {
                return x < 1.0 ? 1.0 - x : 0.0;
            }
            final double a = -0.5;
            if (x < 1.0) {
                return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
            }
            if (x < 2.0) {
                return (((x - 5) * x + 8) * x - 4) * a;
            }
            return 0.0;
        }
    }

    private PilResize() {}

    /**
     * Resizes {@code channels} planes of {@code inW x inH} bytes (row-major, unsigned, plane after plane) to
     * {@code outW x outH}.
     */
    public static byte[] resize(byte[] planes, int channels, int inW, int inH, int outW, int outH, Filter filter) {
        if (inW <= 0 || inH <= 0 || outW <= 0 || outH <= 0) {
            throw new IllegalArgumentException("image sizes must be positive, got " + inW + "x" + inH + " to "
                    + outW + "x" + outH);
        }
        if (planes.length != (long) channels * inW * inH) {
            throw new IllegalArgumentException("expected " + channels + " planes of " + inW + "x" + inH + " bytes, got "
                    + planes.length + " bytes");
        }
        byte[] out = new byte[channels * outW * outH];
        for (int c = 0; c < channels; c++) {
            byte[] plane = new byte[inW * inH];
            System.arraycopy(planes, c * inW * inH, plane, 0, plane.length);
            byte[] wide = inW == outW ? plane : pass(plane, inW, inH, outW, filter, true);
            byte[] done = inH == outH ? wide : pass(wide, outW, inH, outH, filter, false);
            System.arraycopy(done, 0, out, c * outW * outH, done.length);
        }
        return out;
    }

    /** One pass along x ({@code horizontal}) or y: {@code w x h} in, the resized axis {@code outSize} long. */
    private static byte[] pass(byte[] in, int w, int h, int outSize, Filter filter, boolean horizontal) {
        int inSize = horizontal ? w : h;
        Coefficients k = Coefficients.of(inSize, outSize, filter);
        int outW = horizontal ? outSize : w;
        int outH = horizontal ? h : outSize;
        byte[] out = new byte[outW * outH];
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                int o = horizontal ? x : y;
                int min = k.min[o];
                int ss = 1 << (PRECISION_BITS - 1);
                for (int i = 0; i < k.count[o]; i++) {
                    int src = horizontal ? y * w + min + i : (min + i) * w + x;
                    ss += (in[src] & 0xFF) * k.weights[o * k.size + i];
                }
                out[y * outW + x] = (byte) Math.max(0, Math.min(255, ss >> PRECISION_BITS));
            }
        }
        return out;
    }

    /** Per output position: first input index, how many inputs, and their fixed-point weights. */
    private static final class Coefficients {
        final int size;
        final int[] min;
        final int[] count;
        final int[] weights;

        private Coefficients(int size, int outSize) {
            this.size = size;
            this.min = new int[outSize];
            this.count = new int[outSize];
            this.weights = new int[outSize * size];
        }

        static Coefficients of(int inSize, int outSize, Filter filter) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filter.support * filterScale;
            double reciprocal = 1.0 / filterScale; // Pillow multiplies by the reciprocal; dividing can round apart
            Coefficients k = new Coefficients((int) Math.ceil(support) * 2 + 1, outSize);
            double[] w = new double[k.size];
            for (int o = 0; o < outSize; o++) {
                double center = (o + 0.5) * scale;
                int lo = Math.max(0, (int) (center - support + 0.5));
                int hi = Math.min(inSize, (int) (center + support + 0.5));
                int n = hi - lo;
                double total = 0.0;
                for (int i = 0; i < n; i++) {
                    w[i] = filter.weight((i + lo - center + 0.5) * reciprocal);
                    total += w[i];
                }
                for (int i = 0; i < n; i++) {
                    double v = total != 0.0 ? w[i] / total : w[i];
                    double fixed = v * (1 << PRECISION_BITS);
                    k.weights[o * k.size + i] = (int) (v < 0 ? fixed - 0.5 : fixed + 0.5);
                }
                k.min[o] = lo;
                k.count[o] = n;
            }
            return k;
        }
    }
}
