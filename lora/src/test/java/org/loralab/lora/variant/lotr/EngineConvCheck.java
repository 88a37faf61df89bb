package org.loralab.lora.variant.lotr;

import org.loralab.lora.testing.ManagedTest;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * On-demand check of the engine's Conv2d against plain loops (output and input gradient of
 * {@code sum(conv(x, w, b) · up)}, any stride, padding, groups). On this machine (AMD EPYC with AVX-512,
 * DJL 0.35.1 / PyTorch 2.7.1 CPU) it finds wrong values for kernels larger than 1: forward with batch ≥ 2
 * and 17..31 input channels per group; input gradient when the output channels are not a multiple of 16
 * (often NaN). Weight gradients and 1×1 kernels were right in every case tried. It asserts only that the
 * loop reference is self-consistent at a shape the engine gets right, and prints one line per shape:
 * {@code mvn -q -pl lora test -Dtest=EngineConvCheck -Dloralab.engineConv=true}. The cause is libtorch 2.7.1's
 * oneDNN direct conv kernels; the test JVM runs with ONEDNN_MAX_CPU_ISA=SSE41 (oneDNN's GEMM conv, all right here):
 * add {@code -Dloralab.test.onednnIsa=ALL} to see the engine's default kernels (see ConvSelfCheck).
 */
@org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "loralab.engineConv", matches = "true")
class EngineConvCheck extends ManagedTest {
    /** {N, in, out, hw, k, stride, padding, groups}. */
    private static final int[][] CASES = {
        {2, 2, 2, 6, 3, 1, 1, 1}, {3, 8, 24, 7, 3, 1, 1, 1}, {3, 24, 8, 7, 3, 1, 1, 1}, {3, 17, 4, 7, 5, 1, 2, 1},
        {1, 4, 4, 7, 5, 1, 2, 1}, {2, 4, 6, 7, 3, 2, 1, 2}, {2, 48, 4, 6, 3, 1, 1, 2}, {2, 2, 8, 6, 1, 1, 0, 1},
        {3, 16, 16, 7, 3, 1, 1, 1},
    };
    private static final int PASSES = 10;


    private static int outSize(int[] c) {
        return (c[3] + 2 * c[6] - c[4]) / c[5] + 1;
    }

    /** {output, input gradient}, both by plain loops over float arrays. */
    private static float[][] loops(int[] c, float[] x, float[] w, float[] b, float[] up) {
        int n = c[0];
        int in = c[1];
        int out = c[2];
        int hw = c[3];
        int k = c[4];
        int ho = outSize(c);
        int inG = in / c[7];
        int outG = out / c[7];
        float[] y = new float[n * out * ho * ho];
        float[] gx = new float[x.length];
        for (int s = 0; s < n; s++) {
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < ho; i++) {
                    for (int j = 0; j < ho; j++) {
                        int yi = ((s * out + o) * ho + i) * ho + j;
                        double acc = b == null ? 0 : b[o];
                        for (int c2 = 0; c2 < inG; c2++) {
                            int ch = (o / outG) * inG + c2;
                            for (int a = 0; a < k; a++) {
                                for (int e = 0; e < k; e++) {
                                    int xi = i * c[5] - c[6] + a;
                                    int xj = j * c[5] - c[6] + e;
                                    if (xi >= 0 && xi < hw && xj >= 0 && xj < hw) {
                                        int xIdx = ((s * in + ch) * hw + xi) * hw + xj;
                                        float wv = w[((o * inG + c2) * k + a) * k + e];
                                        acc += x[xIdx] * wv;
                                        gx[xIdx] += up[yi] * wv;
                                    }
                                }
                            }
                        }
                        y[yi] = (float) acc;
                    }
                }
            }
        }
        return new float[][] {y, gx};
    }

    private NDArray[] run(int[] c, NDArray x, NDArray w, NDArray b, NDArray up) {
        NDArray xl = x.duplicate();
        xl.setRequiresGradient(true);
        Shape s = new Shape(c[5], c[5]);
        Shape p = new Shape(c[6], c[6]);
        Shape d = new Shape(1, 1);
        NDArray y;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            y = Conv2d.conv2d(xl, w, b, s, p, d, c[7]).head();
            gc.backward(y.mul(up).sum());
        }
        return new NDArray[] {y.stopGradient(), xl.getGradient()};
    }

    private static boolean close(float[] a, float[] b) {
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(a[i] - b[i]) <= 1e-3 + 1e-3 * Math.abs(b[i]))) {
                return false;
            }
        }
        return true;
    }

    @Test
    void engineConvAgainstPlainLoops() {
        for (int[] c : CASES) {
            int wrongOut = 0;
            int wrongGrad = 0;
            for (int pass = 0; pass < PASSES; pass++) {
                NDArray x = m.randomNormal(new Shape(c[0], c[1], c[3], c[3]));
                NDArray w = m.randomNormal(new Shape(c[2], c[1] / c[7], c[4], c[4]));
                NDArray b = pass % 2 == 0 ? null : m.randomNormal(new Shape(c[2]));
                int ho = outSize(c);
                NDArray up = m.randomNormal(new Shape(c[0], c[2], ho, ho));
                float[][] ref = loops(c, x.toFloatArray(), w.toFloatArray(), b == null ? null : b.toFloatArray(),
                        up.toFloatArray());
                NDArray[] got = run(c, x, w, b, up);
                wrongOut += close(got[0].toFloatArray(), ref[0]) ? 0 : 1;
                wrongGrad += close(got[1].toFloatArray(), ref[1]) ? 0 : 1;
                if (Arrays.equals(c, CASES[CASES.length - 1])) {
                    assertTrue(close(got[0].toFloatArray(), ref[0]) && close(got[1].toFloatArray(), ref[1]),
                            "the loop reference must agree with the engine at " + Arrays.toString(c));
                }
            }
            System.out.println("EngineConvCheck " + Arrays.toString(c) + " (N, in, out, hw, k, stride, pad, groups): output "
                    + "wrong " + wrongOut + ", input gradient wrong " + wrongGrad + " of " + PASSES);
        }
    }
}
