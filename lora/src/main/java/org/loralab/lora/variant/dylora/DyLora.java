package org.loralab.lora.variant.dylora;

import java.util.function.ToDoubleFunction;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.variant.SharedState;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

/** Entry points for DyLoRA users: choose the rank to evaluate/merge at, and evaluate every rank into a table. */
public final class DyLora {
    private DyLora() {}

    /** The rank state of {@code adapterName}; fails if that adapter is not DyLoRA. */
    public static DyLoraState state(AdaptedModel model, String adapterName) {
        SharedState st = model.sharedState(adapterName);
        if (!(st instanceof DyLoraState)) {
            throw new IllegalArgumentException("adapter '" + adapterName + "' is "
                    + model.config(adapterName).variant() + ", not dylora");
        }
        return (DyLoraState) st;
    }

    /** Sets the rank that inference and {@code merge()} use for adapter "default" (1..r_max). */
    public static void setRank(AdaptedModel model, int rank) {
        setRank(model, AdaptedModel.DEFAULT, rank);
    }

    /** Sets the rank that inference and {@code merge()} use (1..r_max); refuses while merged. */
    public static void setRank(AdaptedModel model, String adapterName, int rank) {
        if (model.isMerged()) {
            throw new IllegalStateException("unmerge() before changing the DyLoRA rank: the merged weight holds rank "
                    + state(model, adapterName).evalRank());
        }
        state(model, adapterName).setEvalRank(rank);
    }

    /**
     * Evaluates adapter "default" at every rank 1..r_max with {@code eval} (e.g. validation accuracy) and returns a
     * table with columns "rank" and {@code metric}; the previous rank is restored afterwards.
     */
    public static Table evaluateRanks(AdaptedModel model, String metric, ToDoubleFunction<AdaptedModel> eval) {
        return evaluateRanks(model, AdaptedModel.DEFAULT, metric, eval);
    }

    /** As {@link #evaluateRanks(AdaptedModel, String, ToDoubleFunction)} for a named adapter. */
    public static Table evaluateRanks(AdaptedModel model, String adapterName, String metric,
            ToDoubleFunction<AdaptedModel> eval) {
        DyLoraState st = state(model, adapterName);
        int previous = st.evalRank();
        IntColumn ranks = IntColumn.create("rank");
        DoubleColumn values = DoubleColumn.create(metric);
        try {
            for (int b = 1; b <= st.maxRank(); b++) {
                setRank(model, adapterName, b);
                ranks.append(b);
                values.append(eval.applyAsDouble(model));
            }
        } finally {
            st.setEvalRank(previous);
        }
        return Table.create("DyLoRA " + adapterName + " by rank", ranks, values);
    }
}
