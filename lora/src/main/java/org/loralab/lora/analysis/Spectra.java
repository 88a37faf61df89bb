package org.loralab.lora.analysis;

import java.util.LinkedHashMap;
import java.util.Map;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** Spectra of a layer's base weight W, its update ΔW and the adapted weight W + ΔW, as Tablesaw tables. */
public final class Spectra {
    private Spectra() {}

    /** Exact spectra keyed "W", "dW", "W+dW" (insertion order). */
    public static Map<String, Spectrum> ofUpdate(DMatrixRMaj w, DMatrixRMaj deltaW) {
        return ofUpdate(w, deltaW, -1);
    }

    /**
     * As {@link #ofUpdate(DMatrixRMaj, DMatrixRMaj)}, with ΔW's spectrum through {@link Spectrum#ofLowRank} when
     * {@code updateRank > 0} (same result, much faster for a low-rank update on a large layer).
     */
    public static Map<String, Spectrum> ofUpdate(DMatrixRMaj w, DMatrixRMaj deltaW, int updateRank) {
        if (w.numRows != deltaW.numRows || w.numCols != deltaW.numCols) {
            throw new IllegalArgumentException("W is " + w.numRows + "x" + w.numCols + " but dW is "
                    + deltaW.numRows + "x" + deltaW.numCols + "; they must have the same shape");
        }
        DMatrixRMaj sum = new DMatrixRMaj(w.numRows, w.numCols);
        CommonOps_DDRM.add(w, deltaW, sum);
        Map<String, Spectrum> out = new LinkedHashMap<>();
        out.put("W", Spectrum.of(w));
        out.put("dW", updateRank > 0 ? Spectrum.ofLowRank(deltaW, updateRank) : Spectrum.of(deltaW));
        out.put("W+dW", Spectrum.of(sum));
        return out;
    }

    /**
     * One row per (matrix, index): columns {@code matrix, index (1-based), singular_value, energy (cumulative
     * fraction)}. The shape a log-scale spectrum chart wants.
     */
    public static Table table(String name, Map<String, Spectrum> spectra) {
        StringColumn matrix = StringColumn.create("matrix");
        IntColumn index = IntColumn.create("index");
        DoubleColumn value = DoubleColumn.create("singular_value");
        DoubleColumn energy = DoubleColumn.create("energy");
        spectra.forEach((key, s) -> {
            double[] cumulative = s.cumulativeEnergy();
            for (int i = 0; i < s.size(); i++) {
                matrix.append(key);
                index.append(i + 1);
                value.append(s.values()[i]);
                energy.append(cumulative[i]);
            }
        });
        return Table.create(name, matrix, index, value, energy);
    }

    /**
     * One row per matrix: {@code matrix, size, sigma_max, energy_top_k, effective_rank, stable_rank}.
     * {@code k} is clamped to each spectrum's size.
     */
    public static Table summary(String name, Map<String, Spectrum> spectra, int k) {
        StringColumn matrix = StringColumn.create("matrix");
        IntColumn size = IntColumn.create("size");
        DoubleColumn sigmaMax = DoubleColumn.create("sigma_max");
        DoubleColumn energyTopK = DoubleColumn.create("energy_top_" + k);
        DoubleColumn effRank = DoubleColumn.create("effective_rank");
        DoubleColumn stableRank = DoubleColumn.create("stable_rank");
        spectra.forEach((key, s) -> {
            matrix.append(key);
            size.append(s.size());
            sigmaMax.append(s.size() == 0 ? 0 : s.values()[0]);
            energyTopK.append(s.energy(Math.min(k, s.size())));
            effRank.append(s.complete() ? s.effectiveRank() : Double.NaN);
            stableRank.append(s.stableRank());
        });
        return Table.create(name, matrix, size, sigmaMax, energyTopK, effRank, stableRank);
    }
}
