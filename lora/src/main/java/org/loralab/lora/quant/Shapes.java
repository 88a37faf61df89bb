package org.loralab.lora.quant;

import ai.djl.ndarray.types.Shape;

final class Shapes {
    private Shapes() {
    }

    /** Product of the dims; rejects an empty shape and non-positive dims. */
    static long numel(int[] shape) {
        if (shape.length == 0) {
            throw new IllegalArgumentException("a quantised weight needs at least one dimension");
        }
        long n = 1;
        for (int d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("shape dims must be positive, got " + java.util.Arrays.toString(shape));
            }
            n *= d;
        }
        return n;
    }

    /** Checks that {@code shape} has positive dims whose product is {@code values.length}; returns it. */
    static int checkedNumel(float[] values, int[] shape) {
        long n = numel(shape);
        if (n != values.length) {
            throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape) + " holds " + n
                    + " values but " + values.length + " were given");
        }
        return (int) n;
    }

    static Shape toShape(int[] shape) {
        long[] dims = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            dims[i] = shape[i];
        }
        return new Shape(dims);
    }

    static int[] toIntShape(Shape shape) {
        int[] dims = new int[shape.dimension()];
        for (int i = 0; i < dims.length; i++) {
            long d = shape.get(i);
            if (d > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("dimension too large for quantised storage: " + shape);
            }
            dims[i] = (int) d;
        }
        return dims;
    }
}
