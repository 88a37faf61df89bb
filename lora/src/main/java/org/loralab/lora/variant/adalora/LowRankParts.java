package org.loralab.lora.variant.adalora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import java.util.Random;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.ParamRole;

/**
 * Shared maths of the "A, a per-rank vector, B" adapters on Linear layers (AdaLoRA's P·diag(E)·Q, SoRA's gate,
 * DyLoRA's truncated factors): parameter creation, inits, the forward term, ΔW and rank slicing.
 */
public final class LowRankParts {
    private LowRankParts() {}

    /** A zero-filled float parameter called {@code name}. */
    public static Parameter param(String name, NDManager m, Shape shape) {
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
        p.setArray(m.zeros(shape, DataType.FLOAT32));
        return p;
    }

    /** Fills with N(0, std²) from {@code rnd}. */
    public static void fillNormal(Parameter p, Random rnd, double std) {
        NDArray a = p.getArray();
        float[] v = new float[(int) a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * std);
        }
        a.set(v);
    }

    /** Fills with U(-bound, bound) from {@code rnd} (kaiming_uniform(a=√5) is bound = 1/√fan_in). */
    public static void fillUniform(Parameter p, Random rnd, double bound) {
        NDArray a = p.getArray();
        float[] v = new float[(int) a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
        a.set(v);
    }

    /** Inverted dropout on the adapter input (identity when p = 0 or not training). */
    public static NDArray dropout(NDArray x, float p, boolean training) {
        return p > 0 ? Dropout.dropout(x, p, training).head() : x;
    }

    /**
     * {@code s · ((x Aᵀ) ⊙ mid) Bᵀ}: A [r, in], mid any shape with r elements (or null for none), B [out, r].
     */
    public static NDArray forward(NDArray x, NDArray a, NDArray mid, NDArray b, double s) {
        NDArray h = Linear.linear(x, a).head();
        if (mid != null) {
            h = h.mul(mid.reshape(-1));
        }
        return Linear.linear(h, b).head().mul(s);
    }

    /** {@code s · B (A ⊙ mid[:, None])} as [out, in]. */
    public static NDArray delta(NDArray a, NDArray mid, NDArray b, double s) {
        NDArray am = mid == null ? a : a.mul(mid.reshape(-1, 1));
        return b.matMul(am).mul(s);
    }

    /** Number of true entries. */
    public static int count(boolean[] keep) {
        int n = 0;
        for (boolean k : keep) {
            n += k ? 1 : 0;
        }
        return n;
    }

    /** Whether every entry is true. */
    public static boolean all(boolean[] keep) {
        return count(keep) == keep.length;
    }

    /** The kept rows {@code a[keep]} (axis 0), as a new array under {@code m}. */
    public static NDArray rows(NDArray a, boolean[] keep, NDManager m) {
        return select(a, keep, m, false);
    }

    /** The kept columns {@code b[:, keep]} (axis 1), as a new array under {@code m}. */
    public static NDArray cols(NDArray b, boolean[] keep, NDManager m) {
        return select(b, keep, m, true);
    }

    /** A trainable stand-in parameter named {@code key} holding {@code value}, for pruned copies written on save. */
    public static AdapterParam savedCopy(String key, NDArray value, ParamRole role) {
        Parameter p = Parameter.builder().setName(key).setType(Parameter.Type.WEIGHT).build();
        p.setArray(value);
        return new AdapterParam(key, p, role, true);
    }

    private static NDArray select(NDArray a, boolean[] keep, NDManager m, boolean columns) {
        long[] idx = new long[count(keep)];
        int k = 0;
        for (int i = 0; i < keep.length; i++) {
            if (keep[i]) {
                idx[k++] = i;
            }
        }
        long[] shape = a.getShape().getShape().clone();
        shape[columns ? 1 : 0] = idx.length;
        if (idx.length == 0) {
            return m.zeros(new Shape(shape), a.getDataType());
        }
        NDArray index = m.create(idx);
        NDArray out = a.get(new NDIndex(columns ? ":, {}" : "{}", index)).toDevice(a.getDevice(), false);
        NDArray copy = m.create(out.toByteBuffer(), new Shape(shape), a.getDataType());
        out.close();
        index.close();
        return copy;
    }
}
