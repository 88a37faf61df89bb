package org.loralab.ext;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.loralab.ext.magic.LabMagics;
import org.loralab.ext.magic.ModelMagics;
import org.loralab.lora.hf.causal.ShippedExamples;
import org.loralab.lora.hf.generate.GenerationConfig;
import org.loralab.lora.hf.llama.CausalLm;
import org.loralab.lora.train.StopReason;
import org.loralab.lora.train.TrainingReport;

/** %model, %generate and %%train on the shipped tiny chat Llama (random weights). */
class ModelMagicsTest {
    static final String TINY = ShippedExamples.tinyChatLlama().toString();
    private RecordingDisplay display;

    @BeforeEach
    void setUp() {
        Lab.reset();
        display = new RecordingDisplay();
        Lab.setDisplay(display);
    }

    @AfterEach
    void tearDown() {
        Lab.reset();
    }

    private String lastHtml() {
        return String.valueOf(display.events.get(display.events.size() - 1).value());
    }

    @Test
    void loadMakesItTheCurrentModelAndSaysWhatItIs() {
        ModelMagics.model(List.of("load", TINY));
        String line = lastHtml();
        assertTrue(line.contains("loaded llama (LlamaForCausalLM)"), line);
        assertTrue(line.contains("fp32") && line.contains("chat template chatml"), line);
        assertTrue(line.matches("(?s).*\\b1\\d\\d,\\d{3} parameters.*"), line);
        assertTrue(Lab.hfModel() instanceof CausalLm);
        assertEquals(Lab.hfModel().model(), Lab.current());
        ModelMagics.model(List.of("info"));
        assertTrue(lastHtml().contains("num_key_value_heads"), lastHtml());
    }

    @Test
    void generateStreamsIntoOneDisplayAndMatchesTheJavaCall() {
        ModelMagics.model(List.of("load", TINY));
        display.events.clear();
        ModelMagics.generate(List.of("max_new_tokens=6", "chat=true", "What", "is", "2", "plus", "2?"));
        assertEquals(1, display.count("show", "text/html"));
        String shown = String.valueOf(display.last("d1"));
        assertTrue(shown.contains("&lt;|im_start|&gt;assistant"), "the chat-templated prompt: " + shown);
        assertTrue(shown.contains(" tokens/s, "), shown);
        String text = Lab.generate("What is 2 plus 2?", GenerationConfig.builder().maxNewTokens(6).build(), true);
        assertTrue(shown.contains(org.loralab.ext.render.Html.escape(text)), shown + " vs " + text);
    }

    @Test
    void anInterruptEndsGenerationAndKeepsTheTextSoFar() {
        ModelMagics.model(List.of("load", TINY));
        RecordingDisplay stopper = new RecordingDisplay();
        Lab.setDisplay(new org.loralab.ext.live.Display() {
            @Override
            public String show(Object value, String mime) {
                Thread.currentThread().interrupt(); // the stop button, after the first token is shown
                return stopper.show(value, mime);
            }

            @Override
            public void update(String id, Object value, String mime) {
                stopper.update(id, value, mime);
            }
        });
        try {
            ModelMagics.generate(List.of("max_new_tokens=30", "Hello"));
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt stays visible to the kernel");
        } finally {
            Lab.setDisplay(stopper); // the interrupting display must not outlive the test (a later show would interrupt)
            Thread.interrupted();
        }
        String last = String.valueOf(stopper.last("d0"));
        assertTrue(last.contains("1 token, ") && last.contains("interrupted"), last);
    }

    @Test
    void dataThenTrainUsesTheCausalLmLoss() throws Exception {
        ModelMagics.model(List.of("load", TINY));
        LabMagics.lora(List.of("inject", "targets=q_proj,v_proj", "r=16", "alpha=32", "dropout=0.1", "bias=none"));
        ModelMagics.model(List.of("data", ShippedExamples.instructions().toString(), "format=chat", "max_length=96"));
        assertTrue(lastHtml().contains("264 examples (chat format)"), lastHtml());
        LabMagics.train(List.of(), "steps: 3\nbatch_size: 4\nlr: 0.01");
        TrainingReport r = Lab.lastReport();
        assertNotNull(r);
        assertEquals(StopReason.COMPLETED, r.stopReason());
        // a classification loss on [B,T] labels with -100 would fail on the shapes; this is the next-token loss
        assertTrue(Double.isFinite(r.stepLosses()[0]) && r.stepLosses()[0] > 1, "first loss " + r.stepLosses()[0]);
        assertTrue(Double.isNaN(r.finalAccuracy()));
    }

    @Test
    void mistakesAreOneLineAndChangeNothing() {
        IllegalStateException none = assertThrows(IllegalStateException.class,
                () -> ModelMagics.generate(List.of("Hello")));
        assertTrue(none.getMessage().contains("%model load"), none.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> ModelMagics.model(List.of("load", "/no/such/dir")));
        assertEquals(1, missing.getMessage().lines().count());
        ModelMagics.model(List.of("load", TINY));
        Object current = Lab.current();
        assertThrows(IllegalArgumentException.class, () -> ModelMagics.model(List.of("load", TINY, "dtype=fp8")));
        assertThrows(IllegalArgumentException.class, () -> ModelMagics.model(List.of("load", "/no/such/dir")));
        assertEquals(current, Lab.current());
        IllegalArgumentException opt = assertThrows(IllegalArgumentException.class,
                () -> ModelMagics.generateCell(List.of("max_tokens=3"), "Hi"));
        assertEquals(1, opt.getMessage().lines().count());
        assertThrows(IllegalArgumentException.class, () -> ModelMagics.generate(List.of("max_new_tokens=3")));
        assertThrows(IllegalArgumentException.class, () -> ModelMagics.model(List.of("frobnicate")));
    }

    @Test
    void labHelpListsTheModelMagics() {
        var table = LabMagics.helpTable();
        List<String> magics = table.stringColumn("magic").asList();
        assertTrue(magics.containsAll(List.of("%model load", "%model info", "%model data", "%generate")), magics.toString());
    }
}
