package org.loralab.lora.variant.lokr;

/** PEFT's {@code factorization(dim, factor)} for LoKr (spec §12.1). */
public final class Factorization {
    private Factorization() {}

    /**
     * Splits {@code dim} into {@code (m, n)} with {@code m * n = dim}. A positive {@code factor}
     * dividing dim gives {@code (factor, dim/factor)} as is; otherwise (factor -1 meaning "no limit")
     * the divisor pair closest to sqrt(dim) with {@code m <= factor}, ordered {@code m <= n}:
     * 768 → (24, 32), 128 → (8, 16), 127 → (1, 127), (128, 4) → (4, 32).
     */
    public static int[] factorize(int dim, int factor) {
        if (dim <= 0) {
            throw new IllegalArgumentException("cannot factorize dimension " + dim);
        }
        if (factor > 0 && dim % factor == 0) {
            return new int[] {factor, dim / factor};
        }
        int limit = factor == -1 ? dim : factor;
        int m = 1;
        int n = dim;
        int length = m + n;
        while (m < n) {
            int nm = m + 1;
            while (dim % nm != 0) {
                nm++;
            }
            int nn = dim / nm;
            if (nm + nn > length || nm > limit) {
                break;
            }
            m = nm;
            n = nn;
        }
        return m > n ? new int[] {n, m} : new int[] {m, n};
    }
}
