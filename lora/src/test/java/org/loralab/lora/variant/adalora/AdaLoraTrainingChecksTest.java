package org.loralab.lora.variant.adalora;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.testing.Toy;
import org.loralab.lora.train.BatchEvent;
import org.loralab.lora.train.Fit;
import org.loralab.lora.train.FitListener;
import org.loralab.lora.train.FitOptions;
import org.loralab.lora.variant.family.FamilyKit;

/** AdaLoRA's checks around training: one trainable adapter (PEFT), total_step against the fit's steps. */
class AdaLoraTrainingChecksTest {
    private NDManager m;
    private Toy.Mlp mlp;

    @BeforeEach
    void setUp() {
        m = NDManager.newBaseManager();
        mlp = Toy.init(new Toy.Mlp(), m, new Shape(9, 10));
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    private static AdapterConfig.Builder cfg() {
        return AdaLora.config(10).alpha(8).targetModules("lin0", "lin1").seed(0)
                .option("init_r", 6).option("target_r", 2).option("tinit", 2).option("tfinal", 2);
    }

    /** Records warnings and, to check their timing, whether a batch had run before each one. */
    private static final class Recorder implements FitListener {
        final List<String> warnings = new ArrayList<>();
        int batches;
        int warningsAfterABatch;

        @Override
        public void onWarning(String message) {
            warnings.add(message);
            warningsAfterABatch += batches > 0 ? 1 : 0;
        }

        @Override
        public void onBatch(BatchEvent event) {
            batches++;
        }
    }

    private Recorder fit(AdaptedModel am, long steps) {
        Recorder r = new Recorder();
        Fit.fit(am, FamilyKit.data(m, 3), null, FitOptions.defaults().steps(steps).batchSize(12).lr(1e-3)
                .nonFiniteGuard(false).listener(r));
        return r;
    }

    @Test
    void onlyOneActiveAdaLoraAdapterMayTrain() {
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().build());
        am.addAdapter("second", cfg().seed(1).build());
        am.setActive("default", "second");
        IllegalStateException e = assertThrows(IllegalStateException.class, am::hooks);
        assertTrue(e.getMessage().contains("only 1 trainable adapter"), e.getMessage());
        assertTrue(e.getMessage().contains("setActive(\"default\")"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
        assertThrows(IllegalStateException.class, () -> fit(am, 2), "Fit refuses before the first step");
        am.setActive("second");
        assertEquals(2, fit(am, 2).batches, "one active AdaLoRA adapter trains; the inactive one is frozen");
        am.addAdapter("plain", AdapterConfig.builder().r(2).targetModules("lin0").seed(2).build());
        am.setActive("second", "plain");
        assertNotNull(am.hooks(), "an AdaLoRA adapter next to a LoRA one is fine");
    }

    @Test
    void totalStepShorterThanTheFitWarnsOnceBeforeTraining() {
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().build());
        Recorder r = fit(am, 4);
        assertEquals(1, r.warnings.size(), r.warnings.toString());
        assertEquals(0, r.warningsAfterABatch, "shown at the start of training");
        String w = r.warnings.get(0);
        // budget at the last step (3): init 12, target 4, int(8·(1 − 1/6)³ + 4) = 8
        assertEquals("AdaLoRA adapter 'default': total_step=10 but this fit runs 4 steps: the rank budget reaches "
                + "target_r at step 8, so training stops with budget 8 of 12 (target 4); set total_step to 4 "
                + "(AdaLora.config(4) or option total_step=4) with tinit < total_step - tfinal", w);
    }

    @Test
    void totalStepLongerThanTheFitWarnsAndEqualDoesNot() {
        Recorder longer = fit(AdaptedModel.inject(mlp, cfg().build()), 14);
        assertEquals(1, longer.warnings.size(), longer.warnings.toString());
        assertTrue(longer.warnings.get(0).contains("this fit runs 14 steps: the rank budget reaches target_r at step 8 "
                + "and the last 6 steps keep that final rank pattern; set total_step to 14"), longer.warnings.get(0));

        try (NDManager local = NDManager.newBaseManager()) {
            Toy.Mlp net = Toy.init(new Toy.Mlp(), local, new Shape(9, 10));
            Recorder equal = fit(AdaptedModel.inject(net, cfg().build()), 10);
            assertEquals(List.of(), equal.warnings);
            assertEquals(10, equal.batches);
        }
    }

    @Test
    void withoutListenersTheWarningGoesToStderr() {
        AdaptedModel am = AdaptedModel.inject(mlp, cfg().build());
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            Fit.fit(am, FamilyKit.data(m, 3), null, FitOptions.defaults().steps(3).batchSize(12).nonFiniteGuard(false));
        } finally {
            System.setErr(old);
        }
        String err = buf.toString(StandardCharsets.UTF_8);
        assertTrue(err.contains("warning: AdaLoRA adapter 'default': total_step=10 but this fit runs 3 steps"), err);
    }
}
