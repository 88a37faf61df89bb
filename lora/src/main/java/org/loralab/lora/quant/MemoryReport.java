package org.loralab.lora.quant;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Memory of a quantised weight against the same weight in fp32 (4 bytes per value). */
public record MemoryReport(String format, long numel, Map<String, Long> parts) {
    public MemoryReport {
        parts = Collections.unmodifiableMap(new LinkedHashMap<>(parts));
    }

    public long fp32Bytes() {
        return 4L * numel;
    }

    public long storedBytes() {
        return parts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** storedBytes / fp32Bytes. */
    public double ratio() {
        return (double) storedBytes() / fp32Bytes();
    }

    public double bitsPerValue() {
        return 8.0 * storedBytes() / numel;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%s: %d values, %d bytes vs fp32 %d bytes = %.4fx (%.3f bits/value)",
                format, numel, storedBytes(), fp32Bytes(), ratio(), bitsPerValue()));
        parts.forEach((k, v) -> sb.append(String.format("%n  %-16s %12d", k, v)));
        return sb.toString();
    }
}
