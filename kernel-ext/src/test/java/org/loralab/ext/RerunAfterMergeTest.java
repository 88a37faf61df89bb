package org.loralab.ext;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.dflib.jjava.jupyter.kernel.magic.MagicsRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.loralab.ext.magic.MagicError;
import org.loralab.lora.train.GradMode;
import org.loralab.lora.train.StopReason;
import org.loralab.lora.train.TrainingReport;

/**
 * Run All, then run the cells again: magics run on the kernel's shell thread, where PyTorch records gradients unless
 * told otherwise. Training after {@code %lora merge} is refused in one line; after {@code %lora unmerge} it works.
 */
class RerunAfterMergeTest extends LabTestBase {
    private final MagicsRegistry reg = new MagicsRegistry();

    @BeforeEach
    void registerMagics() {
        LabExtension.registerMagics(reg);
    }

    /** Runs {@code body} on a fresh thread whose grad mode is on, like a kernel's shell thread. */
    static Object onShellThread(Callable<Object> body) throws Exception {
        AtomicReference<Object> out = new AtomicReference<>();
        Thread t = new Thread(() -> {
            GradMode.set(true);
            try {
                out.set(body.call());
            } catch (Throwable e) {
                out.set(e);
            }
        }, "Shell-like");
        t.start();
        t.join();
        if (out.get() instanceof Exception e) {
            throw e;
        }
        return out.get();
    }

    private TrainingReport train() throws Exception {
        return (TrainingReport) onShellThread(() -> reg.evalCellMagic(null, "train", List.of(),
                "steps: 6\nbatch_size: 16\nlr: 0.05"));
    }

    private void lora(String... args) throws Exception {
        onShellThread(() -> reg.evalLineMagic(null, "lora", List.of(args)));
    }

    @Test
    void trainingAfterMergeIsRefusedInOneLineAndWorksAfterUnmerge() throws Exception {
        lora("inject", "r=4", "targets=0,2");
        TrainingReport first = train();
        assertEquals(StopReason.COMPLETED, first.stopReason());
        assertSame(first, Lab.lastReport(), "the report is the cell's value and Lab.lastReport()");
        lora("merge");
        MagicError e = assertThrows(MagicError.class, this::train);
        assertTrue(e.getMessage().contains("%lora unmerge"), e.getMessage());
        assertSame(first, Lab.lastReport());
        lora("unmerge");
        TrainingReport again = train();
        assertEquals(StopReason.COMPLETED, again.stopReason());
        for (double loss : again.stepLosses()) {
            assertTrue(Double.isFinite(loss));
        }
        lora("merge");
        lora("unmerge");
        assertEquals(StopReason.COMPLETED, train().stopReason());
    }

    @Test
    void doraInjectsAndTrainsThroughTheMagic() throws Exception {
        lora("inject", "variant=dora", "targets=0", "r=4");
        assertEquals(List.of("default"), Lab.adapted().adapterNames());
        assertEquals(3, Lab.adapted().trainableParameterMap().size(), "lora_A, lora_B, magnitude");
        assertEquals(StopReason.COMPLETED, train().stopReason());
    }
}
