package org.loralab.ext;

import ai.djl.Model;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A fresh Lab for each test: a recording display, the small MLP as the current model, synthetic data. */
abstract class LabTestBase {
    RecordingDisplay display;
    Model model;

    @BeforeEach
    void setUpLab() {
        Lab.reset();
        display = new RecordingDisplay();
        Lab.setDisplay(display);
        model = MagicsTest.mlp();
        Lab.use(model);
        Lab.syntheticData(96, 48, 6, 3, 5);
    }

    @AfterEach
    void tearDownLab() {
        Lab.reset();
        model.close();
    }
}
