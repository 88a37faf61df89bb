package org.loralab.ext;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dflib.jjava.jupyter.kernel.magic.MagicsRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loralab.ext.magic.MagicError;

/** Every user mistake in a magic is one line and changes nothing; nonsense options are refused up front. */
class MagicMistakesTest extends LabTestBase {
    private final MagicsRegistry reg = new MagicsRegistry();

    @TempDir
    Path tmp;

    @BeforeEach
    void registerMagics() {
        LabExtension.registerMagics(reg);
    }

    /** Parameter names, values and trainability of the model's current block tree. */
    private Map<String, String> state() {
        Map<String, String> s = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
            s.put(p.getKey(), Arrays.toString(p.getValue().getArray().toFloatArray()) + p.getValue().requiresGradient());
        }
        return s;
    }

    /** Runs a magic line ("lora zzz") or cell ("%%train" + body) and returns the one-line error it must give. */
    private String mistake(String magic, String... args) {
        Exception e = assertThrows(Exception.class, () -> {
            if (magic.equals("train")) {
                reg.evalCellMagic(null, "train", List.of(), args[0]);
            } else {
                reg.evalLineMagic(null, magic, List.of(args));
            }
        }, magic + " " + String.join(" ", args));
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        String text = trace.toString().strip();
        assertInstanceOf(MagicError.class, e, magic + " " + List.of(args) + " gave " + text);
        assertEquals(1, text.lines().count(), "a multi-line error: " + text);
        assertTrue(e.getMessage().startsWith("%"), "names the magic: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void userMistakesAreOneLineAndChangeNothing() throws Exception {
        Map<String, String> before = state();
        Object current = Lab.current();
        assertTrue(mistake("lora", "zzz").contains("unknown sub-command 'zzz'"));
        assertTrue(mistake("lora", "use").contains("%lora use NAME"));
        assertTrue(mistake("lora", "save").contains("save needs a directory"));
        assertTrue(mistake("lora", "summary").contains("no adapted model"));
        assertTrue(mistake("lora", "merge").contains("no adapted model"));
        assertTrue(mistake("device", "zzz").contains("zzz"));
        assertTrue(mistake("train", ":").contains("expected 'key: value'"));
        assertTrue(mistake("train", "epochs: many").contains("epochs"));
        assertTrue(mistake("spectrum").contains("layer path"));
        assertTrue(mistake("sweep", "ranks=a").contains("ranks"));
        assertTrue(mistake("search", "scheme=zzz").contains("scheme"));
        assertTrue(mistake("lab", "zzz").contains("%lab"));
        reg.evalLineMagic(null, "lora", List.of("inject", "r=4", "targets=0"));
        Map<String, String> adapted = state();
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertTrue(mistake("lora", "load", empty.toString()).startsWith("%lora"));
        Path garbage = Files.createDirectories(tmp.resolve("garbage"));
        Files.writeString(garbage.resolve("adapter_config.json"), "{\"peft_type\": \"LORA\", \"r\": \"4\"",
                StandardCharsets.UTF_8);
        Files.write(garbage.resolve("adapter_model.safetensors"), new byte[] {1, 2, 3});
        mistake("lora", "load", garbage.toString(), "name=bad");
        assertTrue(mistake("lora", "use", "nope").contains("no adapter 'nope'"));
        assertEquals(adapted, state(), "a failed magic changed the adapted model");
        assertEquals(List.of("default"), Lab.adapted().adapterNames());
        assertNotEquals(before, adapted);
        assertNotSame(current, Lab.current());
    }

    @Test
    void nonsenseOptionsAreRefusedWithTheAllowedRangeBeforeAnythingChanges() {
        Map<String, String> before = state();
        Object current = Lab.current();
        String[][] injects = {
            {"alpha=1e400"}, {"alpha=Infinity"}, {"alpha=NaN"}, {"alpha=-1"}, {"r=0"}, {"r=-4"},
            {"r=99999999999"}, {"dropout=1"}, {"dropout=NaN"}, {"variant=lotr", "scale=NaN"},
            {"variant=moe", "top_k=99", "r=4"}, {"variant=vera", "d_initial=NaN"}, {"variant=vera", "d_initial=1e999"},
        };
        for (String[] words : injects) {
            String[] args = new String[words.length + 2];
            args[0] = "inject";
            args[1] = "targets=0";
            System.arraycopy(words, 0, args, 2, words.length);
            String msg = mistake("lora", args);
            assertFalse(msg.contains("Exception"), msg);
            assertEquals(before, state(), "after %lora " + String.join(" ", args));
            assertSame(current, Lab.current());
        }
        String[] trains = {"epochs: 0", "epochs: -1", "steps: -5", "batch_size: 0", "batch_size: -8", "lr: 0",
            "lr: -1e-3", "lr: NaN", "lr: Infinity", "lr: 1e400", "weight_decay: -1", "clip_norm: NaN", "warmup: -1",
            "schedule: sideways", "optimizer: magic", "shuffle: maybe", "checkpoint_every: -1",
            "loraplus_ratio: NaN", "loraplus_ratio: 0", "epochs: 1000000000"};
        for (String body : trains) {
            String msg = mistake("train", body + "\nbatch_size_is_fine: 1".substring(0, 0));
            assertFalse(msg.contains("Exception"), body + ": " + msg);
            assertNull(Lab.lastReport(), body + " trained");
            assertEquals(before, state(), "after %%train " + body);
        }
        assertThrows(IllegalArgumentException.class, () -> Lab.baseModel(null));
        Lab.baseModel(MagicsTest::mlp);
        String[] sweeps = {"ranks=0", "ranks=-2", "alphas=NaN", "lrs=0", "lrs=-1", "alphas=1e400"};
        for (String s : sweeps) {
            assertFalse(mistake("sweep", s, "steps=2").contains("Exception"), s);
            assertNull(Lab.lastSweep(), s + " ran");
        }
        String[] searches = {"trials=0", "eta=1", "min_steps=0", "lr_range=1e-2,1e-4", "lr_range=0,1",
            "ranks=0", "alphas=Infinity"};
        for (String s : searches) {
            assertFalse(mistake("search", s, "max_steps=4").contains("Exception"), s);
            assertNull(Lab.lastSearch(), s + " ran");
        }
        assertEquals(before, state());
    }
}
