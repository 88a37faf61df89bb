package org.loralab.lora.variant.mora;

/**
 * MoRA's compression and decompression operators (spec §17, reference {@code kongds/MoRA}) written as
 * the dense matrices they amount to, so that the forward pass and the merged ΔW share one definition:
 * {@code ΔW = D · blockdiag(M, ..., M) · C}, with C [n·r̂, in] and D [out, n·r̂].
 *
 * <ul>
 *   <li>Type 1 ("sharing"): x is padded by repeating its first features up to a multiple of r̂, cut
 *       into chunks of r̂ and the chunks are summed (n = 1); the r̂ outputs are tiled to out.
 *   <li>Type 6 (RoPE): the padded chunk i is rotated with RoPE at position i
 *       ({@code θ_k = 10000^(-2k/r̂)}, duplicated), M is applied to each chunk (n = ⌈in/r̂⌉ chunks, no
 *       sum); the n·r̂ outputs are truncated to out, or tiled when shorter.
 * </ul>
 * Padding wraps around the input ({@code x[i mod in]}), which equals the reference's
 * {@code cat[x, x[..., :p]]} whenever that is defined (p ≤ in) and also covers p > in, where the
 * reference code fails with a shape error.
 */
public final class MoraOperators {
    private MoraOperators() {}

    /** The square size r̂ = floor(sqrt((in + out)·r) + 0.5), rounded down to even for type 6. */
    public static int squareSize(long in, long out, int r, int type) {
        int rh = (int) Math.floor(Math.sqrt((double) (in + out) * r) + 0.5);
        return type == 6 ? rh / 2 * 2 : rh;
    }

    /** Number of chunks M is applied to: 1 for type 1, ⌈in/r̂⌉ for type 6. */
    public static int chunks(long in, int rh, int type) {
        return type == 6 ? (int) ((in + rh - 1) / rh) : 1;
    }

    /** C, row-major [chunks·r̂, in]. */
    public static float[] compression(int in, int rh, int type) {
        int padded = (int) ((long) (in + rh - 1) / rh) * rh;
        if (type == 1) {
            float[] c = new float[rh * in];
            for (int i = 0; i < padded; i++) {
                c[(i % rh) * in + i % in] += 1f;
            }
            return c;
        }
        int n = padded / rh;
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

    /** D, row-major [out, width] with D[o][o mod width] = 1 (tile, then truncate to out). */
    public static float[] decompression(int out, int width) {
        float[] d = new float[out * width];
        for (int o = 0; o < out; o++) {
            d[o * width + o % width] = 1f;
        }
        return d;
    }
}
