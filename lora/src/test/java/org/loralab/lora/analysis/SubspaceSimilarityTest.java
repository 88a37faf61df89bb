package org.loralab.lora.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.loralab.lora.linalg.LinalgAsserts;
import tech.tablesaw.api.Table;

class SubspaceSimilarityTest {
    // right singular vectors, in order: A1 -> e1, e2; A2 -> e3, e1
    private static final DMatrixRMaj A1 = new DMatrixRMaj(new double[][] {{2, 0, 0, 0, 0}, {0, 1, 0, 0, 0}});
    private static final DMatrixRMaj A2 = new DMatrixRMaj(new double[][] {{0, 0, -3, 0, 0}, {1, 0, 0, 0, 0}});

    @Test
    void knownOverlapsOfCoordinateSubspaces() {
        SubspaceSimilarity sim = new SubspaceSimilarity(A1, A2);
        assertEquals(0.0, sim.phi(1, 1), 1e-14);  // e1 vs e3
        assertEquals(1.0, sim.phi(1, 2), 1e-14);  // e1 inside span{e3, e1}
        assertEquals(0.0, sim.phi(2, 1), 1e-14);  // span{e1,e2} vs e3
        assertEquals(0.5, sim.phi(2, 2), 1e-14);  // one shared direction out of two
    }

    @Test
    void aMatrixIsFullySimilarToItselfAndPhiStaysInTheUnitInterval() {
        DMatrixRMaj a = LinalgAsserts.gaussian(8, 50, 1);
        DMatrixRMaj b = LinalgAsserts.gaussian(3, 50, 2);
        SubspaceSimilarity self = new SubspaceSimilarity(a, a);
        for (int i = 1; i <= 8; i++) {
            assertEquals(1.0, self.phi(i, i), 1e-10);
        }
        for (double[] row : new SubspaceSimilarity(a, b).grid()) {
            for (double v : row) {
                assertTrue(v >= -1e-12 && v <= 1 + 1e-12, "phi out of [0,1]: " + v);
            }
        }
    }

    @Test
    void tableHasOneRowPerPair() {
        Table t = new SubspaceSimilarity(A1, A2).table("phi");
        assertEquals(4, t.rowCount());
        assertEquals(0.5, t.doubleColumn("phi").get(3), 1e-14);
    }

    @Test
    void rejectsMismatchedInputSizesAndIndices() {
        assertThrows(IllegalArgumentException.class,
                () -> new SubspaceSimilarity(A1, new DMatrixRMaj(2, 4)));
        assertThrows(IllegalArgumentException.class, () -> SubspaceSimilarity.phi(A1, A2, 3, 1));
    }
}
