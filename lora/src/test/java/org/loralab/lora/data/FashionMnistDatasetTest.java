package org.loralab.lora.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Record;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

class FashionMnistDatasetTest {
    private static FashionMnistData data;

    @BeforeAll
    static void load() {
        data = FashionMnist.loader().environment(n -> null).load();
    }

    @Test
    void recordsAreScaledImagesWithFloatLabels() throws Exception {
        FashionMnistDataset ds = FashionMnistDataset.builder(data.train()).setSampling(32, false).build();
        assertEquals(2000, ds.size());
        try (NDManager manager = NDManager.newBaseManager()) {
            Record r = ds.get(manager, 0);
            assertEquals(new Shape(1, 28, 28), r.getData().singletonOrThrow().getShape());
            float[] px = r.getData().singletonOrThrow().toFloatArray();
            for (int i = 0; i < px.length; i++) {
                assertEquals(data.train().pixel(0, i / 28, i % 28) / 255f, px[i], 0f);
            }
            assertEquals(9f, r.getLabels().singletonOrThrow().getFloat(), 0f);
        }
    }

    @Test
    void limitAndBatchesWork() throws Exception {
        FashionMnistDataset ds = FashionMnistDataset.builder(data.test()).optFlatten(true)
                .setSampling(50, false).optLimit(120).build();
        assertEquals(120, ds.size());
        int batches = 0;
        long examples = 0;
        try (NDManager manager = NDManager.newBaseManager()) {
            for (Batch b : ds.getData(manager)) {
                assertEquals(784, b.getData().head().getShape().get(1));
                examples += b.getSize();
                batches++;
                b.close();
            }
        }
        assertEquals(3, batches);
        assertEquals(120, examples);
    }

    @Test
    void fastModeCapsTheConvenienceDataset() {
        String before = System.getProperty("loralab.fast");
        try {
            System.setProperty("loralab.fast", "true");
            assertTrue(FastMode.enabled());
            assertEquals(100, data.train().dataset(16, true, false, 100).size());
            System.setProperty("loralab.fast", "0");
            assertEquals(2000, data.train().dataset(16, true, false, 100).size());
        } finally {
            if (before == null) {
                System.clearProperty("loralab.fast");
            } else {
                System.setProperty("loralab.fast", before);
            }
        }
    }

    @Test
    void subsetsAndTables() {
        FashionMnistSplit shoes = data.test().withClasses(5, 7, 9);
        assertEquals(150, shoes.size());
        for (int i = 0; i < shoes.size(); i++) {
            int l = shoes.label(i);
            assertTrue(l == 5 || l == 7 || l == 9);
        }
        FashionMnistSplit relabelled = data.test().withClassesRelabelled(9, 5);
        assertEquals(100, relabelled.size());
        assertEquals(0, relabelled.label(0)); // the first test image is an ankle boot (9)
        for (int i = 0; i < relabelled.size(); i++) {
            assertTrue(relabelled.label(i) <= 1);
        }
        assertEquals(10, data.test().head(10).size());
        Table t = data.test().head(10).toTable();
        assertEquals(10, t.rowCount());
        assertEquals("Ankle boot", t.stringColumn("class").get(0));
        double mean = t.doubleColumn("mean_intensity").get(0);
        assertTrue(mean > 0 && mean < 1);
        Table classes = data.train().classTable();
        assertEquals(10, classes.rowCount());
        assertEquals(200, classes.intColumn("count").get(3));
    }
}
