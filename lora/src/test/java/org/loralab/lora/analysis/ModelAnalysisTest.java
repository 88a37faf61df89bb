package org.loralab.lora.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.variant.lora.init.TinyMlp;
import tech.tablesaw.api.Table;

class ModelAnalysisTest {

    private static AdapterConfig lora(int r, long seed) {
        return AdapterConfig.builder().r(r).alpha(r).targetModules("0", "2").init(false).seed(seed).build();
    }

    @Test
    void updateSpectrumHasTheAdapterRankAndTablesCoverEveryLayer() {
        try (NDManager m = NDManager.newBaseManager()) {
            AdaptedModel model = AdaptedModel.inject(TinyMlp.build(m), lora(3, 1));
            Map<String, Spectrum> s = ModelAnalysis.spectra(model, "0", "default");
            double[] dw = s.get("dW").values();
            assertEquals(3, dw.length, "dW = s·B·A has rank 3: the low-rank spectrum is complete with 3 values");
            assertTrue(s.get("dW").complete() && dw[2] > 1e-4);
            double[] exact = Spectrum.of(org.loralab.lora.linalg.Matrices.fromFloats(
                    model.deltaWeight("0", "default"))).values();
            assertEquals(exact[0], dw[0], 1e-5);
            assertTrue(exact[3] < 1e-5, "exact sigma_4 = " + exact[3]);
            assertEquals(1.0, s.get("dW").energy(3), 1e-6);

            Table t = ModelAnalysis.layerTable(model, "default");
            assertEquals(2, t.rowCount());
            assertEquals("2", t.stringColumn("path").get(1));
            assertEquals(1.0, t.doubleColumn("dW_energy_top_r").get(0), 1e-6);
            double amp = ModelAnalysis.amplification(model, "0", "default").factor();
            assertEquals(amp, t.doubleColumn("amplification").get(0), 1e-9);

            model.merge();
            assertThrows(IllegalStateException.class, () -> ModelAnalysis.spectra(model, "0", "default"));
        }
    }

    @Test
    void subspaceSimilarityOfTwoAdaptersOnTheSameLayer() {
        try (NDManager m = NDManager.newBaseManager()) {
            AdaptedModel model = AdaptedModel.inject(TinyMlp.build(m), lora(2, 1));
            model.addAdapter("wide", lora(8, 2));
            SubspaceSimilarity sim = ModelAnalysis.subspaceSimilarity(model, "default", model, "wide", "0");
            assertEquals(2, sim.maxI());
            assertEquals(8, sim.maxJ());
            SubspaceSimilarity self = ModelAnalysis.subspaceSimilarity(model, "wide", model, "wide", "0");
            assertEquals(1.0, self.phi(8, 8), 1e-6);
            assertThrows(IllegalArgumentException.class,
                    () -> ModelAnalysis.subspaceSimilarity(model, "default", model, "wide", "4"));
        }
    }
}
