package org.loralab.ext.render;

import java.util.Locale;
import org.loralab.lora.inject.AdaptedLayerInfo;
import org.loralab.lora.inject.AdaptedModel;

/** An adapted model as an HTML table: one row per adapted layer, then the totals. */
public final class AdaptedModelHtml {
    private AdaptedModelHtml() {}

    public static String render(AdaptedModel model) {
        StringBuilder b = new StringBuilder("<div class=\"loralab-model\"><table border=\"1\" class=\"dataframe\">");
        b.append("<thead><tr><th>path</th><th>base shape</th><th>adapter</th><th>variant</th><th>r</th>")
                .append("<th>alpha</th><th>trainable params</th><th>merged</th></tr></thead><tbody>");
        for (AdaptedLayerInfo l : model.layers()) {
            b.append("<tr><td>").append(Html.escape(l.path()))
                    .append("</td><td>").append(Html.escape(l.baseShape()))
                    .append("</td><td>").append(Html.escape(l.adapterName()))
                    .append("</td><td>").append(Html.escape(l.variant()))
                    .append("</td><td>").append(l.r())
                    .append("</td><td>").append(Html.escape(trim(l.alpha())))
                    .append("</td><td>").append(String.format(Locale.ROOT, "%,d", l.trainable()))
                    .append("</td><td>").append(l.merged() ? "yes" : "no")
                    .append("</td></tr>");
        }
        long trainable = model.trainableParameters();
        long all = model.allParameters();
        b.append("</tbody></table><p>").append(model.layers().size()).append(" adapted layers; active: ")
                .append(Html.escape(String.join(", ", model.activeAdapters())))
                .append(model.isEnabled() ? "" : " (disabled)")
                .append(model.isMerged() ? " (merged)" : "")
                .append(String.format(Locale.ROOT,
                        "<br>trainable params: %,d || all params: %,d || trainable%%: %.4f</p></div>",
                        trainable, all, all == 0 ? 0.0 : 100.0 * trainable / all));
        return b.toString();
    }

    static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
