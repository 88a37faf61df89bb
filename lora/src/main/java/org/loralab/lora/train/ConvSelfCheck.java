package org.loralab.lora.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A quick check (a few ms) that the engine's Conv2d output and input gradient agree with plain loops at
 * three small shapes that the CPU engine gets wrong on some machines: libtorch 2.7.1's oneDNN 3.7.1 direct
 * convolution kernels (jit:avx512_core, jit:avx2) gave wrong, run-to-run different values (sometimes NaN) on an
 * AMD EPYC (Zen 5, in a VM) for k×k kernels (k &gt; 1) whenever PyTorch routes the conv to oneDNN (batch ≥ 2,
 * kernels larger than 3×3, or groups &gt; 1): the input gradient when output channels per group are not a multiple
 * of the vector block, the output when input channels per group spill past one block (17..31). Restricting
 * oneDNN to SSE4.1 ({@value #ENV}={@value #SAFE_ISA} in the environment before the JVM starts) makes it use its
 * im2col + GEMM convolution, which is right at every shape tried; the launcher, the Binder start script and the
 * test configuration set it.
 */
public final class ConvSelfCheck {
    /** The oneDNN environment variable that caps the instruction set its kernels may use. */
    public static final String ENV = "ONEDNN_MAX_CPU_ISA";
    /** The cap that makes oneDNN use its GEMM convolution. */
    public static final String SAFE_ISA = "SSE41";

    /** Each triggers a different wrong oneDNN kernel where the bug is present. */
    private static final Probe[] PROBES = {new Probe(1, 4, 4, 7, 5, 2), new Probe(2, 17, 4, 7, 3, 1),
        new Probe(3, 8, 24, 7, 3, 1)};

    /** A k×k conv, stride 1, of {@code n} square {@code hw}×{@code hw} images, {@code in} to {@code out} channels. */
    private record Probe(int n, int in, int out, int hw, int k, int pad) {
        int ho() {
            return hw + 2 * pad - k + 1;
        }
    }
    private static final double TOLERANCE = 1e-3;

    private static Result cached;

    /** The outcome: {@code ok}, or the probe shapes that came out wrong, in words. */
    public record Result(boolean ok, String detail) {}

    private ConvSelfCheck() {}

    /** The check's result, run once per JVM on the engine's default device. */
    public static synchronized Result result() {
        if (cached == null) {
            cached = run();
        }
        return cached;
    }

    /** Replaces the cached result (tests; null runs the check again on next use). */
    static synchronized void cache(Result r) {
        cached = r;
    }

    /** A one-line warning that says what is wrong and what to do, when the check fails. */
    public static Optional<String> warning() {
        Result r = result();
        if (r.ok()) {
            return Optional.empty();
        }
        String env = System.getenv(ENV);
        return Optional.of("the " + Engine.getInstance().getEngineName() + " engine computes convolutions wrongly on this "
                + "machine (" + r.detail() + "; oneDNN direct conv kernels, " + ENV + "=" + (env == null ? "unset" : env)
                + "): conv outputs and gradients are unreliable; restart the kernel/JVM with the environment variable "
                + ENV + "=" + SAFE_ISA + " (./loralab sets it)");
    }

    /** Runs the check now (no caching). */
    public static Result run() {
        List<String> wrong = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            for (Probe p : PROBES) {
                String w = probe(m, p);
                if (w != null) {
                    wrong.add(w);
                }
            }
        }
        return wrong.isEmpty() ? new Result(true, "ok") : new Result(false, String.join(", ", wrong));
    }

    /** True when the block or any block under it is a convolution. */
    public static boolean containsConv(Block block) {
        if (block instanceof Convolution) {
            return true;
        }
        for (Block child : block.getChildren().values()) {
            if (containsConv(child)) {
                return true;
            }
        }
        return false;
    }

    private static String probe(NDManager parent, Probe p) {
        Shape xShape = new Shape(p.n(), p.in(), p.hw(), p.hw());
        Shape wShape = new Shape(p.out(), p.in(), p.k(), p.k());
        float[] x = fill((int) xShape.size(), 1);
        float[] w = fill((int) wShape.size(), 2);
        float[] up = fill(p.n() * p.out() * p.ho() * p.ho(), 3);
        double[][] ref = loops(p, x, w, up);
        try (NDManager m = parent.newSubManager()) {
            NDArray xa = m.create(x, xShape);
            xa.setRequiresGradient(true);
            NDArray y;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                y = Conv2d.conv2d(xa, m.create(w, wShape), null, new Shape(1, 1),
                        new Shape(p.pad(), p.pad()), new Shape(1, 1), 1).head();
                gc.backward(y.mul(m.create(up, y.getShape())).sum());
            }
            boolean outOk = close(y.toFloatArray(), ref[0]);
            boolean gradOk = close(xa.getGradient().toFloatArray(), ref[1]);
            if (outOk && gradOk) {
                return null;
            }
            String what = !outOk && !gradOk ? "output and input gradient" : !outOk ? "output" : "input gradient";
            return what + " of " + p.k() + "x" + p.k() + " conv " + p.in() + "->" + p.out() + " at batch " + p.n();
        }
    }

    /** Deterministic values in [-1, 1]. */
    private static float[] fill(int size, int seed) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = (float) Math.sin(0.37 * i + 1.3 * seed + 0.1);
        }
        return a;
    }

    /** {output, input gradient of sum(output · up)} in double precision. */
    private static double[][] loops(Probe p, float[] x, float[] w, float[] up) {
        int n = p.n();
        int in = p.in();
        int out = p.out();
        int hw = p.hw();
        int k = p.k();
        int pad = p.pad();
        int ho = p.ho();
        double[] y = new double[n * out * ho * ho];
        double[] gx = new double[x.length];
        for (int s = 0; s < n; s++) {
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < ho; i++) {
                    for (int j = 0; j < ho; j++) {
                        int yi = ((s * out + o) * ho + i) * ho + j;
                        double acc = 0;
                        for (int c = 0; c < in; c++) {
                            for (int a = 0; a < k; a++) {
                                for (int b = 0; b < k; b++) {
                                    int xi = i - pad + a;
                                    int xj = j - pad + b;
                                    if (xi >= 0 && xi < hw && xj >= 0 && xj < hw) {
                                        int xIdx = ((s * in + c) * hw + xi) * hw + xj;
                                        double wv = w[((o * in + c) * k + a) * k + b];
                                        acc += x[xIdx] * wv;
                                        gx[xIdx] += up[yi] * wv;
                                    }
                                }
                            }
                        }
                        y[yi] = acc;
                    }
                }
            }
        }
        return new double[][] {y, gx};
    }

    private static boolean close(float[] got, double[] want) {
        for (int i = 0; i < got.length; i++) {
            if (!(Math.abs(got[i] - want[i]) <= TOLERANCE * (1 + Math.abs(want[i])))) {
                return false;
            }
        }
        return true;
    }
}
