package org.loralab.lora.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Device choice: the engine's own (all GPUs it reports, else the CPU); never a hard-coded GPU. */
public final class Devices {
    private Devices() {}

    /** What DJL would train on by default: every GPU, or [cpu()]. */
    public static Device[] engineDefault() {
        return Engine.getInstance().getDevices();
    }

    /** "auto" (engine default), "cpu", "gpu" (all GPUs; error when there are none) or "gpuN". */
    public static Device[] parse(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        int gpus = Engine.getInstance().getGpuCount();
        switch (s) {
            case "auto":
                return engineDefault();
            case "cpu":
                return new Device[] {Device.cpu()};
            case "gpu":
                if (gpus == 0) {
                    throw new IllegalArgumentException(
                            "no GPU: DJL reports 0 GPUs (engine " + Engine.getInstance().getEngineName()
                                    + "); use device auto or cpu");
                }
                return Engine.getInstance().getDevices(gpus);
            default:
                if (s.matches("gpu\\d+")) {
                    int id = Integer.parseInt(s.substring(3));
                    if (id >= gpus) {
                        throw new IllegalArgumentException("no " + s + ": DJL reports " + gpus + " GPU(s)");
                    }
                    return new Device[] {Device.gpu(id)};
                }
                throw new IllegalArgumentException("unknown device '" + spec + "': use auto, cpu, gpu or gpuN");
        }
    }

    public static String describe(Device[] devices) {
        return Arrays.stream(devices).map(Device::toString).collect(Collectors.joining(", "));
    }
}
