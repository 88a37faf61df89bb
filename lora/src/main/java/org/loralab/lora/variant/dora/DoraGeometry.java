package org.loralab.lora.variant.dora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Which axis of a base weight is "one output unit" for DoRA (spec §5.1), in DJL's weight layouts:
 * <ul>
 *   <li>{@link #LINEAR}: W [out, in]; magnitude [out], the L2 norm of each row.</li>
 *   <li>{@link #CONV}: W [out, in, k...]; magnitude [1, out, 1...] (PEFT's keepdim + transpose), the norm of
 *       each output channel over (in, k...). It broadcasts over an NC(H)(W) output.</li>
 *   <li>{@link #EMBEDDING}: W [V, d]; magnitude [d], the norm of each column over the vocabulary.</li>
 * </ul>
 * The magnitude's shape is also the shape that broadcasts over the layer's output.
 */
public enum DoraGeometry {
    LINEAR {
        @Override
        public NDArray norm(NDArray weight) {
            return weight.norm(new int[] {1});
        }

        @Override
        public NDArray perWeight(NDArray factor, Shape weightShape) {
            return factor.reshape(weightShape.get(0), 1);
        }
    },
    CONV {
        @Override
        public NDArray norm(NDArray weight) {
            int rank = weight.getShape().dimension();
            int[] axes = new int[rank - 1];
            for (int i = 1; i < rank; i++) {
                axes[i - 1] = i;
            }
            return weight.norm(axes, true).swapAxes(0, 1);
        }

        @Override
        public NDArray perWeight(NDArray factor, Shape weightShape) {
            long[] dims = new long[weightShape.dimension()];
            java.util.Arrays.fill(dims, 1);
            dims[0] = weightShape.get(0);
            return factor.reshape(dims);
        }
    },
    EMBEDDING {
        @Override
        public NDArray norm(NDArray weight) {
            return weight.norm(new int[] {0});
        }

        @Override
        public NDArray perWeight(NDArray factor, Shape weightShape) {
            return factor.reshape(1, weightShape.get(1));
        }
    };

    /** Per-output-unit L2 norm of a weight-shaped tensor, in the magnitude's shape. */
    public abstract NDArray norm(NDArray weight);

    /** Reshapes a magnitude-shaped factor so that it scales the weight per output unit. */
    public abstract NDArray perWeight(NDArray factor, Shape weightShape);

    /** The magnitude's shape for a base weight of {@code weightShape}. */
    public Shape magnitudeShape(Shape weightShape) {
        return switch (this) {
            case LINEAR -> new Shape(weightShape.get(0));
            case EMBEDDING -> new Shape(weightShape.get(1));
            case CONV -> {
                long[] dims = new long[weightShape.dimension()];
                java.util.Arrays.fill(dims, 1);
                dims[1] = weightShape.get(0);
                yield new Shape(dims);
            }
        };
    }
}
