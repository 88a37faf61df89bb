package org.loralab.lora.variant.mora;

/**
 * MoRA's compression and decompression operators (spec §17, reference {@code kongds/MoRA}) written as
 * the dense matrices they amount to, so that the forward pass and the merged ΔW share one definition:
 * {@code ΔW = D · blockdiag(M, ..., M) · C}, with C [n·r̂, in] and D [out, n·r̂].
 *
 * <p>Compression (input side):
 * <ul>
 *   <li>Sharing (types 1 and 4): x is padded by repeating its first features up to a multiple of r̂,
 *       cut into chunks of r̂ and the chunks are summed (n = 1).
 *   <li>Grouped sum (types 2 and 3): the in features are cut into r̂ contiguous groups, the first
 *       {@code in mod r̂} of size {@code ⌊in/r̂⌋ + 1} and the rest of size {@code ⌊in/r̂⌋} (empty when
 *       in &lt; r̂), and each group is summed (n = 1). No padding.
 *   <li>RoPE (type 6): the padded chunk i is rotated with RoPE at position i
 *       ({@code θ_k = 10000^(-2k/r̂)}, duplicated) and M is applied to each chunk (n = ⌈in/r̂⌉, no sum).
 * </ul>
 * Decompression (output side):
 * <ul>
 *   <li>Tile (types 1, 3 and 6): output o takes value {@code o mod width}: the width outputs are repeated
 *       and truncated to out (type 6: width n·r̂, so this also truncates when n·r̂ &gt; out).
 *   <li>Repeat-interleave (types 2 and 4): output o takes value g(o), its group when out is cut into r̂
 *       contiguous groups as above (the first {@code out mod r̂} values repeated {@code ⌊out/r̂⌋ + 1}
 *       times, the others {@code ⌊out/r̂⌋} times; when out &lt; r̂ only the first out values are used).
 * </ul>
 * Padding wraps around the input ({@code x[i mod in]}), which equals the reference's
 * {@code cat[x, x[..., :p]]} whenever that is defined (p ≤ in) and also covers p &gt; in, where the
 * reference code fails with a shape error.
 */
public final class MoraOperators {
    private MoraOperators() {}

    /** The types the reference implements. */
    public static boolean isSupported(long type) {
        return type == 1 || type == 2 || type == 3 || type == 4 || type == 6;
    }

    /** The square size r̂ = floor(sqrt((in + out)·r) + 0.5), rounded down to even for type 6. */
    public static int squareSize(long in, long out, int r, int type) {
        int rh = (int) Math.floor(Math.sqrt((double) (in + out) * r) + 0.5);
        return type == 6 ? rh / 2 * 2 : rh;
    }

    /** Number of chunks M is applied to: ⌈in/r̂⌉ for type 6, 1 otherwise. */
    public static int chunks(long in, int rh, int type) {
        return type == 6 ? (int) ((in + rh - 1) / rh) : 1;
    }

    /** C, row-major [chunks·r̂, in]. */
    public static float[] compression(int in, int rh, int type) {
        switch (type) {
            case 1:
            case 4:
                return sharing(in, rh);
            case 2:
            case 3:
                float[] c = new float[rh * in];
                for (int i = 0; i < in; i++) {
                    c[group(i, in, rh) * in + i] = 1f;
                }
                return c;
            case 6:
                return rope(in, rh);
            default:
                throw new IllegalArgumentException("mora_type " + type + " is not supported; use 1, 2, 3, 4 or 6");
        }
    }

    /** D, row-major [out, width] where width = chunks·r̂ of the type's compression. */
    public static float[] decompression(int out, int width, int type) {
        boolean interleave = type == 2 || type == 4;
        float[] d = new float[out * width];
        for (int o = 0; o < out; o++) {
            d[o * width + (interleave ? group(o, out, width) : o % width)] = 1f;
        }
        return d;
    }

    /**
     * The group of position p when n positions are cut into {@code groups} contiguous groups, the first
     * {@code n mod groups} of size {@code ⌊n/groups⌋ + 1}, the rest of size {@code ⌊n/groups⌋} (the
     * reference's {@code mr, nr, m} split used by its repeat_interleave and grouped sums).
     */
    static int group(int p, int n, int groups) {
        int small = n / groups;
        int big = small + 1;
        int bigCount = n - groups * small;
        int inBig = bigCount * big;
        return p < inBig ? p / big : bigCount + (p - inBig) / small;
    }

    private static float[] sharing(int in, int rh) {
        int padded = (int) ((long) (in + rh - 1) / rh) * rh;
        float[] c = new float[rh * in];
        for (int i = 0; i < padded; i++) {
            c[(i % rh) * in + i % in] += 1f;
        }
        return c;
    }

    private static float[] rope(int in, int rh) {
        int n = (in + rh - 1) / rh;
        int half = rh / 2;
        float[] c = new float[n * rh * in];
        for (int chunk = 0; chunk < n; chunk++) {
            for (int k = 0; k < rh; k++) {
                double theta = Math.pow(10000.0, -2.0 * (k % half) / rh);
                double angle = chunk * theta;
                int row = chunk * rh + k;
                c[row * in + row % in] += (float) Math.cos(angle);
                // rot(v)[k] = -v[k + r̂/2] for k < r̂/2, v[k - r̂/2] otherwise
                int partner = k < half ? row + half : row - half;
                float sign = k < half ? -1f : 1f;
                c[row * in + partner % in] += sign * (float) Math.sin(angle);
            }
        }
        return c;
    }
}
