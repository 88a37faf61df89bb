package org.loralab.lora.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The fixtures are self-consistent when recomputed in DJL with plain ops (no LoRA code involved). */
class FixtureTest {

    @Test
    void loraLinearFixtureMatchesItsFormula() {
        Fixture f = Fixture.load("lora_linear");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = f.array(m, "x");
            NDArray w = f.array(m, "weight");
            NDArray a = f.array(m, "lora_A");
            NDArray b = f.array(m, "lora_B");
            float s = (float) f.param("scaling");
            assertEquals(f.param("alpha") / f.intParam("r"), s, 0.0);
            NDArray y = x.matMul(w.transpose()).add(f.array(m, "bias"))
                    .add(x.matMul(a.transpose()).matMul(b.transpose()).mul(s));
            Fixture.assertClose(f.array(m, "y"), y, 1e-5, "y");
            Fixture.assertClose(f.array(m, "merged_w"), w.add(b.matMul(a).mul(s)), 1e-5, "merged_w");
        }
    }

    @Test
    void rsloraScalingIsAlphaOverSqrtR() {
        Fixture f = Fixture.load("rslora_linear");
        assertEquals(f.param("alpha") / Math.sqrt(f.intParam("r")), f.param("scaling"), 0.0);
    }

    @Test
    void intTensorsKeepTheirTypeAndShape() {
        Fixture f = Fixture.load("lora_embedding");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray idx = f.array(m, "indices");
            assertEquals(DataType.INT64, idx.getDataType());
            assertEquals(new Shape(2, 3), idx.getShape());
        }
    }

    @Test
    void assertCloseReportsTheWorstElement() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray e = m.create(new float[] {1f, 2f, 3f});
            NDArray a = m.create(new float[] {1f, 2.5f, 3f});
            AssertionFailedError err = assertThrows(AssertionFailedError.class,
                    () -> Fixture.assertClose(e, a, 1e-4, "v"));
            assertEquals(true, err.getMessage().contains("element 1"), err.getMessage());
            Fixture.assertClose(e, a, 0.6, 0.0, "loose");
        }
    }

    @Test
    void missingFixtureSaysHowToRegenerate() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fixture.load("nope"));
        assertEquals(true, e.getMessage().contains("make_fixtures.py"), e.getMessage());
    }
}
