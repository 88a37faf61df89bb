package org.loralab.lora.analysis;

import java.util.Map;
import org.ejml.data.DMatrixRMaj;
import org.loralab.lora.inject.AdaptedLayerInfo;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.linalg.Matrices;
import org.loralab.lora.variant.AdapterParam;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The analysis measures on an {@link AdaptedModel}: W from {@link AdaptedModel#baseWeight}, ΔW from
 * {@link AdaptedModel#deltaWeight} (so any variant works), LoRA A from the adapter's tensors. Call these on an
 * unmerged model: a merged W already contains ΔW.
 */
public final class ModelAnalysis {
    private ModelAnalysis() {}

    /**
     * Spectra of W, ΔW and W + ΔW of one layer (keys "W", "dW", "W+dW"); ΔW's through
     * {@link Spectrum#ofLowRank} with the layer's rank (exact result, fast for a low-rank update).
     */
    public static Map<String, Spectrum> spectra(AdaptedModel model, String path, String adapter) {
        AdaptedLayerInfo info = requireUnmerged(model, path, adapter);
        return Spectra.ofUpdate(w(model, path), dw(model, path, adapter), info.r());
    }

    /** The amplification factor of one layer with r = the layer's rank (capped at min(out, in)). */
    public static AmplificationFactor amplification(AdaptedModel model, String path, String adapter) {
        AdaptedLayerInfo info = requireUnmerged(model, path, adapter);
        DMatrixRMaj w = w(model, path);
        int r = Math.min(info.r(), Math.min(w.numRows, w.numCols));
        return AmplificationFactor.of(w, dw(model, path, adapter), r);
    }

    /**
     * Subspace similarity between the lora_A matrices of the same layer under two adapters (possibly of two
     * models), e.g. r=8 vs r=64 as in the LoRA paper's Figure 3.
     */
    public static SubspaceSimilarity subspaceSimilarity(AdaptedModel model1, String adapter1, AdaptedModel model2,
            String adapter2, String path) {
        return new SubspaceSimilarity(loraA(model1, adapter1, path), loraA(model2, adapter2, path));
    }

    /** lora_A [r, in] of a layer (Linear/Conv, flattened), for variants that have one. */
    public static DMatrixRMaj loraA(AdaptedModel model, String adapter, String path) {
        String key = "base_model.model." + path + ".lora_A.weight";
        AdapterParam p = model.adapterTensors(adapter).get(key);
        if (p == null) {
            throw new IllegalArgumentException("adapter '" + adapter + "' has no " + key
                    + "; subspace similarity needs a LoRA-style A matrix at that path");
        }
        return Matrices.fromFloats(org.loralab.lora.variant.lora.Matrices.read(p.parameter().getArray()));
    }

    /**
     * One row per adapted layer of {@code adapter}: path, r, ||W||_F, sigma_max(W), ||ΔW||_F, effective rank of ΔW,
     * energy of ΔW in its top-r singular values, amplification factor. sigma_max(W) comes from the exact SVD for
     * small layers and from the randomized SVD (q = 8, 16 power iterations) above
     * {@link AmplificationFactor#EXACT_LIMIT}, so the table stays fast on ViT-sized layers.
     */
    public static Table layerTable(AdaptedModel model, String adapter) {
        StringColumn path = StringColumn.create("path");
        IntColumn rank = IntColumn.create("r");
        DoubleColumn wNorm = DoubleColumn.create("W_fro");
        DoubleColumn wMax = DoubleColumn.create("W_sigma_max");
        DoubleColumn dNorm = DoubleColumn.create("dW_fro");
        DoubleColumn dEff = DoubleColumn.create("dW_effective_rank");
        DoubleColumn dEnergy = DoubleColumn.create("dW_energy_top_r");
        DoubleColumn amp = DoubleColumn.create("amplification");
        for (AdaptedLayerInfo info : model.layers()) {
            if (!info.adapterName().equals(adapter)) {
                continue;
            }
            requireUnmerged(info);
            DMatrixRMaj w = w(model, info.path());
            DMatrixRMaj d = dw(model, info.path(), adapter);
            int minDim = Math.min(w.numRows, w.numCols);
            Spectrum sw = minDim <= AmplificationFactor.EXACT_LIMIT ? Spectrum.of(w)
                    : Spectrum.top(w, Math.min(8, minDim), 16, 0);
            Spectrum sd = Spectrum.ofLowRank(d, info.r());
            int r = Math.min(info.r(), sd.size());
            path.append(info.path());
            rank.append(info.r());
            wNorm.append(Math.sqrt(sw.totalEnergy()));
            wMax.append(sw.values()[0]);
            dNorm.append(Math.sqrt(sd.totalEnergy()));
            dEff.append(sd.effectiveRank());
            dEnergy.append(sd.energy(r));
            amp.append(sd.totalEnergy() == 0 ? Double.NaN : AmplificationFactor.of(w, d, r).factor());
        }
        return Table.create("layers of adapter " + adapter, path, rank, wNorm, wMax, dNorm, dEff, dEnergy, amp);
    }

    private static DMatrixRMaj w(AdaptedModel model, String path) {
        return Matrices.fromFloats(model.baseWeight(path));
    }

    private static DMatrixRMaj dw(AdaptedModel model, String path, String adapter) {
        return Matrices.fromFloats(model.deltaWeight(path, adapter));
    }

    private static AdaptedLayerInfo requireUnmerged(AdaptedModel model, String path, String adapter) {
        for (AdaptedLayerInfo info : model.layers()) {
            if (info.path().equals(path) && info.adapterName().equals(adapter)) {
                requireUnmerged(info);
                return info;
            }
        }
        throw new IllegalArgumentException("no adapter '" + adapter + "' at '" + path + "'; adapted layers: "
                + model.layers().stream().map(AdaptedLayerInfo::path).distinct().toList());
    }

    private static void requireUnmerged(AdaptedLayerInfo info) {
        if (info.merged()) {
            throw new IllegalStateException("adapter '" + info.adapterName() + "' is merged into '" + info.path()
                    + "', so W already contains dW; call unmerge() first");
        }
    }
}
