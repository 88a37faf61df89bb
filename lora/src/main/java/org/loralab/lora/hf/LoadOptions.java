package org.loralab.lora.hf;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;

/** How to load a model: the compute dtype (weights are converted to it on load) and the device. */
public final class LoadOptions {
    private final DataType dtype;
    private final Device device;

    private LoadOptions(Builder b) {
        this.dtype = b.dtype;
        this.device = b.device;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** fp32 on the default device. */
    public static LoadOptions defaults() {
        return builder().build();
    }

    /** Compute dtype of the loaded parameters: FLOAT32 (default), FLOAT16 or BFLOAT16. */
    public DataType dtype() {
        return dtype;
    }

    /** Device the parameters live on; null means DJL's default device. */
    public Device device() {
        return device;
    }

    public Builder toBuilder() {
        return builder().dtype(dtype).device(device);
    }

    @Override
    public String toString() {
        return "LoadOptions{dtype=" + dtype + ", device=" + (device == null ? "default" : device) + "}";
    }

    public static final class Builder {
        private DataType dtype = DataType.FLOAT32;
        private Device device;

        private Builder() {}

        public Builder dtype(DataType d) {
            if (d != DataType.FLOAT32 && d != DataType.FLOAT16 && d != DataType.BFLOAT16) {
                throw new IllegalArgumentException("compute dtype " + d
                        + " is not supported; use FLOAT32 (default), FLOAT16 or BFLOAT16");
            }
            this.dtype = d;
            return this;
        }

        public Builder device(Device d) {
            this.device = d;
            return this;
        }

        public LoadOptions build() {
            return new LoadOptions(this);
        }
    }
}
