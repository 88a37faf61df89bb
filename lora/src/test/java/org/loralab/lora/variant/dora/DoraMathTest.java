package org.loralab.lora.variant.dora;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;
import org.loralab.lora.testing.Fixture;

/** DoRA's norm, merge and unmerge against the reference fixtures, one per layer kind. */
class DoraMathTest {

    private static final double TOL = 1e-5;

    @Test
    void linearNormMergeUnmerge() {
        Fixture f = Fixture.load("dora_linear");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = f.array(m, "weight");
            NDArray delta = f.array(m, "lora_B").matMul(f.array(m, "lora_A")).mul((float) f.param("scaling"));
            check(f, m, DoraGeometry.LINEAR, w, delta);
        }
    }

    @Test
    void convNormMergeUnmerge() {
        Fixture f = Fixture.load("dora_conv2d");
        try (NDManager m = NDManager.newBaseManager()) {
            check(f, m, DoraGeometry.CONV, f.array(m, "weight"), f.array(m, "delta_w"));
        }
    }

    @Test
    void embeddingNormMergeUnmerge() {
        Fixture f = Fixture.load("dora_embedding");
        try (NDManager m = NDManager.newBaseManager()) {
            check(f, m, DoraGeometry.EMBEDDING, f.array(m, "weight"), f.array(m, "delta_w"));
        }
    }

    @Test
    void magnitudeShapesFollowPeft() {
        assertEquals(new Shape(5), DoraGeometry.LINEAR.magnitudeShape(new Shape(5, 6)));
        assertEquals(new Shape(1, 4, 1, 1), DoraGeometry.CONV.magnitudeShape(new Shape(4, 3, 3, 3)));
        assertEquals(new Shape(6), DoraGeometry.EMBEDDING.magnitudeShape(new Shape(10, 6)));
    }

    private static void check(Fixture f, NDManager m, DoraGeometry g, NDArray w, NDArray delta) {
        NDArray magnitude = f.array(m, "magnitude");
        NDArray norm = DoraMath.detachedNorm(g, w, delta);
        Fixture.assertClose(f.array(m, "weight_norm"), norm, TOL, "norm");
        Fixture.assertClose(f.array(m, "m_init"), DoraMath.initialMagnitude(g, w, delta), TOL, "m_init");
        assertEquals(g.magnitudeShape(w.getShape()), norm.getShape());
        NDArray merged = DoraMath.merge(g, w, delta, magnitude, norm);
        Fixture.assertClose(f.array(m, "merged_w"), merged, TOL, "merged_w");
        Fixture.assertClose(w, DoraMath.unmerge(g, merged, delta, magnitude, norm), 1e-5, "unmerge restores W");
    }
}
