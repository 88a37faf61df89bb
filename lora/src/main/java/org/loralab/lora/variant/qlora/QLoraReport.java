package org.loralab.lora.variant.qlora;

import java.util.ArrayList;
import java.util.List;
import org.loralab.lora.inject.AdaptedLayerInfo;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.quant.MemoryReport;
import org.loralab.lora.variant.LayerAdapter;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** Model-level QLoRA figures: memory of the quantised base weights, merge drift per layer. */
public final class QLoraReport {
    private QLoraReport() {}

    /** The QLoRA layers of {@code adapterName}, in tree order. */
    public static List<QLoraLayer> layers(AdaptedModel model, String adapterName) {
        List<QLoraLayer> out = new ArrayList<>();
        for (AdaptedLayerInfo info : model.layers()) {
            if (info.adapterName().equals(adapterName)) {
                LayerAdapter a = model.layerAdapter(info.path(), adapterName);
                if (a instanceof QLoraLayer) {
                    out.add((QLoraLayer) a);
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("adapter '" + adapterName + "' has no qlora layers; inject with "
                    + "AdapterConfig.builder().variant(\"qlora\")");
        }
        return out;
    }

    /** Stored bytes of every quantised base weight of the adapter together, against the same weights in fp32. */
    public static MemoryReport memory(AdaptedModel model, String adapterName) {
        return total(layers(model, adapterName), false);
    }

    /**
     * Bytes the adapter's quantised base weights hold in memory now, together, against the same weights in fp32
     * ({@link QLoraLayer#residentMemory()}: quantised storage plus the released Parameters' one element each).
     */
    public static MemoryReport resident(AdaptedModel model, String adapterName) {
        return total(layers(model, adapterName), true);
    }

    private static MemoryReport total(List<QLoraLayer> layers, boolean resident) {
        List<MemoryReport> parts = new ArrayList<>();
        String format = null;
        for (QLoraLayer l : layers) {
            MemoryReport r = resident ? l.residentMemory() : l.memoryReport();
            parts.add(r);
            format = format == null || format.equals(r.format()) ? r.format() : "mixed";
        }
        return MemoryReport.total(format, parts);
    }

    /**
     * One row per QLoRA layer of the adapter: path, format, values, fp32 bytes, stored bytes, ratio to fp32,
     * bytes resident in memory now and the relative drift of its last merge/unmerge (missing before any).
     */
    public static Table table(AdaptedModel model, String adapterName) {
        Table t = Table.create("qlora base memory", StringColumn.create("layer"), StringColumn.create("format"),
                LongColumn.create("values"), LongColumn.create("fp32_bytes"), LongColumn.create("stored_bytes"),
                DoubleColumn.create("ratio"), LongColumn.create("resident_bytes"), DoubleColumn.create("merge_drift"));
        List<QLoraLayer> layers = layers(model, adapterName);
        List<AdaptedLayerInfo> infos = new ArrayList<>();
        for (AdaptedLayerInfo info : model.layers()) {
            if (info.adapterName().equals(adapterName) && model.layerAdapter(info.path(), adapterName) instanceof QLoraLayer) {
                infos.add(info);
            }
        }
        for (int i = 0; i < layers.size(); i++) {
            MemoryReport r = layers.get(i).memoryReport();
            t.stringColumn("layer").append(infos.get(i).path());
            t.stringColumn("format").append(r.format());
            t.longColumn("values").append(r.numel());
            t.longColumn("fp32_bytes").append(r.fp32Bytes());
            t.longColumn("stored_bytes").append(r.storedBytes());
            t.doubleColumn("ratio").append(r.ratio());
            t.longColumn("resident_bytes").append(layers.get(i).residentMemory().storedBytes());
            t.doubleColumn("merge_drift").append(layers.get(i).lastMerge() == null ? Double.NaN
                    : layers.get(i).lastMerge().relativeDrift());
        }
        return t;
    }

    /** The largest relative drift ({@code ||dequant(Q') - target||_F / ||target||_F}) of the last merge/unmerge. */
    public static double maxRelativeMergeDrift(AdaptedModel model, String adapterName) {
        double max = 0;
        for (QLoraLayer l : layers(model, adapterName)) {
            if (l.lastMerge() != null) {
                max = Math.max(max, l.lastMerge().relativeDrift());
            }
        }
        return max;
    }
}
