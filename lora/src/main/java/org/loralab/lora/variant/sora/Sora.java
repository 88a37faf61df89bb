package org.loralab.lora.variant.sora;

import java.util.Map;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.variant.SharedState;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** Entry points for SoRA users: the gate optimizer of an adapter and the surviving-rank report. */
public final class Sora {
    private Sora() {}

    /** The gate optimizer of {@code adapterName}; fails if that adapter is not SoRA. */
    public static SoraGateOptimizer gates(AdaptedModel model, String adapterName) {
        SharedState st = model.sharedState(adapterName);
        if (!(st instanceof SoraGateOptimizer)) {
            throw new IllegalArgumentException("adapter '" + adapterName + "' is "
                    + model.config(adapterName).variant() + ", not sora");
        }
        return (SoraGateOptimizer) st;
    }

    /** Surviving rank per layer of adapter "default". */
    public static Map<String, Integer> survivingRanks(AdaptedModel model) {
        return gates(model, AdaptedModel.DEFAULT).survivingRanks();
    }

    /**
     * One row per layer: layer, r, surviving_rank, params (r·(in+out)+r; in·kh·kw for Conv2d, V+d for Embedding) and
     * params_after_pruning (surviving·(in+out)+surviving).
     */
    public static Table rankTable(AdaptedModel model, String adapterName) {
        SoraGateOptimizer g = gates(model, adapterName);
        StringColumn layer = StringColumn.create("layer");
        IntColumn r = IntColumn.create("r");
        IntColumn surviving = IntColumn.create("surviving_rank");
        LongColumn params = LongColumn.create("params");
        LongColumn pruned = LongColumn.create("params_after_pruning");
        for (SoraLayer l : g.layers().values()) {
            long io = l.paramsPerRank();
            int s = l.survivingRank();
            layer.append(l.path());
            r.append(l.rank());
            surviving.append(s);
            params.append(l.rank() * io);
            pruned.append(s * io);
        }
        return Table.create("SoRA " + adapterName + " surviving ranks", layer, r, surviving, params, pruned);
    }
}
