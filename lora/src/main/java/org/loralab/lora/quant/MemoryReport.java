package org.loralab.lora.quant;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
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

    /** Sum of several weights' reports of one format (e.g. every adapted layer of a model), parts added up. */
    public static MemoryReport total(String format, List<MemoryReport> reports) {
        long n = 0;
        Map<String, Long> parts = new LinkedHashMap<>();
        for (MemoryReport r : reports) {
            n += r.numel();
            r.parts().forEach((k, v) -> parts.merge(k, v, Long::sum));
        }
        return new MemoryReport(format, n, parts);
    }

    /** A plain-text table: format, values, stored bytes, ratio to fp32, bits per value; fp32 first. */
    public static String table(List<MemoryReport> reports) {
        StringBuilder sb = new StringBuilder(String.format("%-14s %12s %14s %9s %10s%n",
                "format", "values", "bytes", "vs fp32", "bits/value"));
        if (!reports.isEmpty()) {
            MemoryReport first = reports.get(0);
            sb.append(String.format("%-14s %12d %14d %8.4fx %10.3f%n", "fp32", first.numel(), first.fp32Bytes(), 1.0, 32.0));
        }
        for (MemoryReport r : reports) {
            sb.append(String.format("%-14s %12d %14d %8.4fx %10.3f%n",
                    r.format(), r.numel(), r.storedBytes(), r.ratio(), r.bitsPerValue()));
        }
        return sb.toString();
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
