package org.loralab.lora.variant.lycoris;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.Random;

/**
 * Adapter tensors and their initialisers, shared by the LyCORIS-style variants (LoHa, LoKr) and by
 * MoRA, the rank-1 mixture and LoTR. Draws come from the injection's {@link Random}, so a seeded
 * config gives the same adapter every time (PEFT's torch draws cannot be reproduced anyway, spec §0.3).
 */
public final class ParamInit {
    private ParamInit() {}

    /** A float32 parameter of zeros named {@code name}, owned by {@code manager}. */
    public static Parameter zeros(String name, NDManager manager, Shape shape) {
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
        p.setArray(manager.zeros(shape, DataType.FLOAT32));
        return p;
    }

    /** Fan-in as torch computes it: {@code size(1) * prod(size(2:))}. */
    public static long fanIn(Parameter p) {
        Shape s = p.getArray().getShape();
        return s.size() / s.get(0);
    }

    /** {@code kaiming_uniform_(a=sqrt(5))}: U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
    public static void kaimingUniform(Parameter p, Random rnd) {
        double bound = 1.0 / Math.sqrt(fanIn(p));
        NDArray a = p.getArray();
        float[] v = new float[(int) a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
        a.set(v);
    }

    /** N(0, std^2). */
    public static void normal(Parameter p, Random rnd, double std) {
        NDArray a = p.getArray();
        float[] v = new float[(int) a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * std);
        }
        a.set(v);
    }

    /** Sets every value to zero. */
    public static void zero(Parameter p) {
        NDArray a = p.getArray();
        a.set(new float[(int) a.size()]);
    }
}
