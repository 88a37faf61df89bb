package org.loralab.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;

/**
 * A grouped pointwise (1×1) stage as in LoTR's Tucker conv (its U_out stage): a real grouped 1×1
 * {@code conv2d} against the batched matrix product the layer uses ({@code TuckerConvLayer.pointwise}),
 * forward + backward with gradients cleared every pass. Also counts NaN weight gradients of the conv form (the suspected engine bug).
 * Prints {@code RESULT <case> conv <ms> matmul <ms> ratio conv/matmul <x> nan <count>/<passes>}.
 *
 * <p>Run: {@code bench/lora/tucker_pointwise.sh} (env PASSES=200 THREADS=1).
 */
public final class TuckerPointwiseBench {
    /** {N, c_in, c_out, H (= W), groups}: the in→r and r→out stages of typical layers. */
    private static final int[][] CASES = {
        {32, 64, 8, 16, 1}, {32, 8, 64, 16, 1}, {8, 256, 16, 14, 1}, {8, 16, 256, 14, 1},
        {32, 64, 32, 16, 4}, {32, 32, 64, 16, 4}, {64, 3, 4, 32, 1},
    };

    private TuckerPointwiseBench() {}

    public static void main(String[] args) {
        int passes = Integer.getInteger("bench.passes", 200);
        System.out.println("# engine " + Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion()
                + ", passes " + passes);
        try (NDManager root = NDManager.newBaseManager()) {
            for (int[] c : CASES) {
                String name = String.format("N%d_c%d_o%d_%dx%d_g%d", c[0], c[1], c[2], c[3], c[3], c[4]);
                // alternate the two forms twice and keep the best: the machine is shared
                double conv = Double.MAX_VALUE;
                double mm = Double.MAX_VALUE;
                int nan = 0;
                for (int round = 0; round < 2; round++) {
                    long[] r = time(root, c, true, passes);
                    conv = Math.min(conv, r[0] / 1e6 / passes);
                    nan += (int) r[1];
                    mm = Math.min(mm, time(root, c, false, passes)[0] / 1e6 / passes);
                }
                System.out.printf("RESULT %s conv %.3f matmul %.3f ratio conv/matmul %.2fx nan %d/%d%n", name, conv, mm,
                        conv / mm, nan, 2 * passes);
            }
        }
    }

    /** {nanoseconds for the passes (after 10 warm-up passes), NaN weight-gradient count}. */
    private static long[] time(NDManager root, int[] c, boolean conv, int passes) {
        int n = c[0];
        int in = c[1];
        int out = c[2];
        int hw = c[3];
        int g = c[4];
        try (NDManager m = root.newSubManager()) {
            NDArray w = m.randomNormal(new Shape(out, in / g)).mul(0.1f);
            w.setRequiresGradient(true);
            NDArray x = m.randomNormal(new Shape(n, in, hw, hw));
            long nan = 0;
            long start = 0;
            for (int p = -10; p < passes; p++) {
                if (p == 0) {
                    start = System.nanoTime();
                }
                try (NDManager step = m.newSubManager()) {
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray y = conv
                                ? Conv2d.conv2d(x, w.reshape(out, in / g, 1, 1), null, new Shape(1, 1), new Shape(0, 0),
                                        new Shape(1, 1), g).head()
                                : w.reshape(g, out / g, in / g).matMul(x.reshape(n, g, in / g, (long) hw * hw))
                                        .reshape(n, out, hw, hw);
                        gc.backward(y.sum());
                    }
                    NDArray grad = w.getGradient();
                    grad.attach(step);
                    if (conv && grad.isNaN().any().getBoolean()) {
                        nan++;
                    }
                    grad.set(new NDIndex(":"), 0f);
                }
            }
            return new long[] {System.nanoTime() - start, nan};
        }
    }
}
