package org.loralab.lora.train;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import java.io.IOException;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;

/** Peak memory where it can be measured: GPU memory in use (sampled), else the process's peak RSS (Linux). */
final class PeakMemory {
    private final Device[] devices;
    private long peak = -1;

    PeakMemory(Device[] devices) {
        this.devices = devices;
    }

    boolean onGpu() {
        return devices[0].isGpu();
    }

    void sample() {
        if (onGpu()) {
            try {
                long used = 0;
                for (Device d : devices) {
                    MemoryUsage u = CudaUtils.getGpuMemory(d);
                    used += u.getUsed();
                }
                peak = Math.max(peak, used);
            } catch (RuntimeException | LinkageError e) {
                // not measurable here
            }
        } else {
            peak = Math.max(peak, processPeakRss());
        }
    }

    long peak() {
        return peak;
    }

    String source() {
        if (peak < 0) {
            return "not measurable";
        }
        return onGpu() ? "GPU memory in use, sampled per epoch" : "process peak RSS (VmHWM)";
    }

    static long processPeakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }
}
