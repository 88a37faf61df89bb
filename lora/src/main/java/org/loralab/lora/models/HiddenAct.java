package org.loralab.lora.models;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The activations of transformers' {@code ACT2FN} that a ViT's {@code hidden_act} may name, with the same math:
 * {@code gelu} is the exact (erf) GELU, {@code gelu_new} / {@code gelu_fast} / {@code gelu_pytorch_tanh} its tanh
 * approximation, {@code quick_gelu} is {@code x * sigmoid(1.702 x)}.
 */
public enum HiddenAct {
    GELU("gelu", "gelu_python"),
    GELU_TANH("gelu_new", "gelu_fast", "gelu_pytorch_tanh"),
    QUICK_GELU("quick_gelu"),
    RELU("relu"),
    SILU("silu", "swish"),
    TANH("tanh"),
    SIGMOID("sigmoid"),
    LINEAR("linear");

    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

    private final List<String> names;

    HiddenAct(String... names) {
        this.names = List.of(names);
    }

    /** The transformers names of this activation. */
    public List<String> names() {
        return names;
    }

    /** The activation named {@code name}; one line listing the supported names otherwise. */
    public static HiddenAct of(String field, String name) {
        for (HiddenAct a : values()) {
            if (a.names.contains(name.toLowerCase(Locale.ROOT))) {
                return a;
            }
        }
        throw new IllegalArgumentException(field + " \"" + name + "\" is not supported; supported: "
                + String.join(", ", Arrays.stream(values()).flatMap(a -> a.names.stream()).toList()));
    }

    public NDArray apply(NDArray x) {
        switch (this) {
            case GELU:
                return Activation.gelu(x);
            case GELU_TANH:
                NDArray inner = x.pow(3).mul(0.044715).add(x).mul(SQRT_2_OVER_PI);
                return x.mul(0.5).mul(inner.tanh().add(1));
            case QUICK_GELU:
                return x.mul(Activation.sigmoid(x.mul(1.702)));
            case RELU:
                return Activation.relu(x);
            case SILU:
                return x.mul(Activation.sigmoid(x));
            case TANH:
                return x.tanh();
            case SIGMOID:
                return Activation.sigmoid(x);
            case LINEAR:
                return x;
            default:
                throw new AssertionError(this);
        }
    }
}
