package org.loralab.lora.variant;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;

/**
 * A read/write view of the base block an adapter wraps: its kind, weight, bias and op settings,
 * and its op applied with another weight (for weight-space variants: LoHa, LoKr, DoRA's dropout path).
 * Implemented by the injector for Linear, Conv1d/2d/3d and Embedding.
 */
public interface BaseLayer {
    /** The wrapped DJL block. */
    Block block();

    /** Its kind. */
    LayerKind kind();

    /** The weight parameter (DJL layout = PyTorch layout: [out,in], [out,in/g,k..], [V,d]). */
    Parameter weight();

    /** The bias parameter, or null. */
    Parameter bias();

    /** Weight shape. */
    default Shape weightShape() {
        return weight().getArray().getShape();
    }

    /** in features / in channels / vocabulary size V. */
    long inFeatures();

    /** out features / out channels / embedding dim d. */
    long outFeatures();

    /** Conv kernel shape (empty shape for Linear/Embedding). */
    Shape kernel();

    /** Conv stride (null for Linear/Embedding). */
    Shape stride();

    /** Conv padding (null for Linear/Embedding). */
    Shape padding();

    /** Conv dilation (null for Linear/Embedding). */
    Shape dilation();

    /** Conv groups (1 for Linear/Embedding). */
    int groups();

    /** The manager that owns the base weight; adapter arrays are created under it. */
    default NDManager manager() {
        return weight().getArray().getManager();
    }

    /**
     * The base op on {@code x} with the given weight and bias (bias may be null): linear, conv with the
     * base stride/padding/dilation/groups, or embedding lookup.
     */
    NDArray apply(NDArray x, NDArray weight, NDArray bias);

    /**
     * W dense, to read or to update in place (then {@link #writeWeight}): the weight Parameter's own array while W
     * lives there (not a copy: do not close it), otherwise a new fp32 array the {@link #weightSource()} makes in
     * {@code manager} (owned by it). Read W through this, never through {@code weight().getArray()}: while a source
     * holds W the Parameter's array is a NaN placeholder.
     */
    default NDArray denseWeight(NDManager manager) {
        BaseWeightSource s = weightSource();
        return s == null ? weight().getArray() : s.materialize(manager);
    }

    /**
     * The W to compute with in a forward: {@code params.value(weight())} (DJL's ParameterStore: the copy on the
     * input's device) while W lives in the Parameter, otherwise the source's W made in {@code manager} (use the
     * input's manager, so it lives as long as the batch and sits on the input's device).
     */
    default NDArray denseWeight(ParamSource params, NDManager manager) {
        BaseWeightSource s = weightSource();
        return s == null ? params.value(weight()) : s.materialize(manager);
    }

    /**
     * Stores {@code w} as W after an in-place update of the array {@link #denseWeight(NDManager)} gave: nothing to
     * do for the Parameter's own array, a copy into it for any other array, and through the source (which may
     * round the values, e.g. re-quantise) while one holds W.
     */
    default void writeWeight(NDArray w) {
        BaseWeightSource s = weightSource();
        NDArray own = weight().getArray();
        if (s != null) {
            s.write(w.toType(DataType.FLOAT32, false).toFloatArray());
        } else if (w != own) {
            own.set(w.toType(own.getDataType(), false).toByteBuffer());
        }
    }

    /** W as a float matrix: [out, in] (conv flattened to [out, in/g*k..], embedding [V, d]). */
    float[][] weightMatrix();

    /**
     * Overwrites W in place (same NDArray, so trainers holding it see the change) from a matrix in the
     * layout of {@link #weightMatrix()}. For PiSSA/OLoRA/LoftQ residuals.
     */
    void setWeightMatrix(float[][] w);

    /**
     * Bytes W takes in memory now: the dense Parameter ({@code numel · itemsize}), or, with a
     * {@link #weightSource()}, the source's bytes plus what the released Parameter still holds.
     */
    default long residentWeightBytes() {
        NDArray w = weight().getArray();
        return w.size() * w.getDataType().getNumOfBytes();
    }

    /** The source that holds W instead of the weight Parameter, or null while W is a dense Parameter. */
    default BaseWeightSource weightSource() {
        return null;
    }

    /**
     * Makes {@code source} the holder of W: the weight Parameter keeps its shape (parameter counts, the DJL tree)
     * but releases its storage, and the base op, {@link #weightMatrix()}, {@link #setWeightMatrix} and merges go
     * through the source. {@code null} puts W back into the Parameter as a dense array with the source's values.
     */
    default void setWeightSource(BaseWeightSource source) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot hold its weight elsewhere");
    }
}
