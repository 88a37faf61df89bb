package org.loralab.lora.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.ArrayDataset;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;
import org.loralab.lora.analysis.Spectrum;
import org.loralab.lora.linalg.LinalgAsserts;
import org.loralab.lora.linalg.Matrices;
import org.loralab.lora.linalg.Svd;

class SyntheticTasksTest {

    @Test
    void trueUpdateHasExactlyRankK() {
        LowRankRegression task = LowRankRegression.create(12, 10, 3, 200, 0.0, 1);
        double[] s = Spectrum.of(Matrices.fromFloats(task.trueUpdate())).values();
        assertEquals(1.0, s[0], 1e-6);
        assertEquals(1.0 / 3, s[2], 1e-6);
        assertTrue(s[3] < 1e-6, "sigma_4 = " + s[3]);
        assertEquals(0.0, task.bestRankRError(3), 1e-6);
        assertEquals(0.0, task.bestRankRError(5), 1e-6);
        assertEquals(Math.sqrt((1.0 / 9) / (1 + 4.0 / 9 + 1.0 / 9)), task.bestRankRError(2), 1e-6);
    }

    @Test
    void rankRFitRecoversTheUpdateOnlyWhenRIsAtLeastK() {
        LowRankRegression task = LowRankRegression.create(12, 10, 3, 200, 0.0, 2);
        // least squares on the residual targets y - x W0^T, then the best rank-r update
        DMatrixRMaj x = Matrices.fromFloats(task.inputs());
        DMatrixRMaj y = Matrices.fromFloats(task.targets());
        DMatrixRMaj residual = new DMatrixRMaj(y.numRows, y.numCols);
        CommonOps_DDRM.multTransB(x, Matrices.fromFloats(task.baseWeight()), residual);
        CommonOps_DDRM.subtract(y, residual, residual);
        DMatrixRMaj fitT = new DMatrixRMaj(12, 10);
        assertTrue(CommonOps_DDRM.solve(x, residual, fitT));
        DMatrixRMaj fit = CommonOps_DDRM.transpose(fitT, null);
        DMatrixRMaj truth = Matrices.fromFloats(task.trueUpdate());
        for (int r = 1; r <= 4; r++) {
            DMatrixRMaj rankR = Svd.thin(fit).truncate(r).reconstruct();
            double err = LinalgAsserts.relativeError(truth, rankR);
            if (r >= 3) {
                assertTrue(err < 1e-4, "r=" + r + " error " + err);
            } else {
                assertEquals(task.bestRankRError(r), err, 1e-4);
            }
        }
    }

    @Test
    void regressionDatasetAndTable() throws Exception {
        LowRankRegression task = LowRankRegression.create(6, 4, 2, 50, 0.1, 3);
        try (NDManager m = NDManager.newBaseManager()) {
            ArrayDataset ds = task.dataset(m, 10, false);
            assertEquals(50, ds.size());
            for (Batch b : ds.getData(m)) {
                assertEquals(new Shape(10, 6), b.getData().head().getShape());
                assertEquals(new Shape(10, 4), b.getLabels().head().getShape());
                b.close();
                break;
            }
        }
        assertEquals(10, task.toTable().columnCount());
        assertThrows(IllegalArgumentException.class, () -> LowRankRegression.create(6, 4, 5, 10, 0, 0));
    }

    @Test
    void classificationShiftIsARank2RotationThatBreaksTheSourceClassifier() {
        ClassificationShift task = ClassificationShift.create(8, 4, 200, 8.0, Math.PI / 2, 4);
        DMatrixRMaj rot = new DMatrixRMaj(task.rotation());
        LinalgAsserts.assertOrthonormalColumns(rot, 1e-12);
        DMatrixRMaj change = rot.copy();
        CommonOps_DDRM.subtractEquals(change, CommonOps_DDRM.identity(8));
        double[] s = Svd.values(change);
        assertTrue(s[1] > 0.5 && s[2] < 1e-12, "R - I has rank 2");

        float[][] means = task.classMeans();
        double sourceAcc = nearestMeanAccuracy(task.source(), means);
        double targetAcc = nearestMeanAccuracy(task.target(), means);
        float[][] rotatedMeans = new float[means.length][8];
        for (int c = 0; c < means.length; c++) {
            for (int i = 0; i < 8; i++) {
                for (int k = 0; k < 8; k++) {
                    rotatedMeans[c][i] += (float) (task.rotation()[i][k] * means[c][k]);
                }
            }
        }
        double fixedAcc = nearestMeanAccuracy(task.target(), rotatedMeans);
        assertTrue(sourceAcc > 0.85, "source accuracy " + sourceAcc);
        assertTrue(targetAcc < sourceAcc - 0.1, "target " + targetAcc + " vs source " + sourceAcc);
        assertTrue(fixedAcc > 0.85, "rotated means fix the target: " + fixedAcc);
        assertEquals(4 * FastMode.limit(200, 64), task.target().size());
        assertEquals(10, task.source().toTable().columnCount());
    }

    private static double nearestMeanAccuracy(ClassificationShift.Split split, float[][] means) {
        int correct = 0;
        for (int i = 0; i < split.size(); i++) {
            int best = -1;
            double bestD = Double.MAX_VALUE;
            for (int c = 0; c < means.length; c++) {
                double d = 0;
                for (int j = 0; j < means[c].length; j++) {
                    double diff = split.features()[i][j] - means[c][j];
                    d += diff * diff;
                }
                if (d < bestD) {
                    bestD = d;
                    best = c;
                }
            }
            correct += best == split.labels()[i] ? 1 : 0;
        }
        return correct / (double) split.size();
    }
}
