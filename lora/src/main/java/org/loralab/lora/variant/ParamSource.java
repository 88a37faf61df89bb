package org.loralab.lora.variant;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;

/**
 * Where an adapter reads the live value of a parameter. In a forward pass this is DJL's
 * ParameterStore for the input's device (so gradients reach the parameter); outside training it is
 * simply {@code parameter.getArray()}.
 */
@FunctionalInterface
public interface ParamSource {
    /** The value of {@code p} to compute with. */
    NDArray value(Parameter p);

    /** Reads {@code parameter.getArray()} directly (merge, analysis). */
    ParamSource DIRECT = Parameter::getArray;
}
