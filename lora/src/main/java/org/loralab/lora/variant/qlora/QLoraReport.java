package org.loralab.lora.variant.qlora;

import java.util.ArrayList;
import java.util.List;
import org.loralab.lora.inject.AdaptedLayerInfo;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.quant.MemoryReport;
import org.loralab.lora.variant.LayerAdapter;

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
        List<MemoryReport> parts = new ArrayList<>();
        String format = null;
        for (QLoraLayer l : layers(model, adapterName)) {
            MemoryReport r = l.memoryReport();
            parts.add(r);
            format = format == null || format.equals(r.format()) ? r.format() : "mixed";
        }
        return MemoryReport.total(format, parts);
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
