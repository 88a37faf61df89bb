package org.loralab.lora.io;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.testing.Toy;

/**
 * A table of broken adapter directories, each made from a good one. For every case: the exception's type, one line
 * (no newline, under 300 characters) naming the file or key, and a model whose outputs, adapters, parameter values and
 * trainability are exactly as before.
 */
class BrokenAdapterDirsTest {
    @TempDir
    Path tmp;
    private NDManager m;
    private NDArray x;
    private AdaptedModel model;
    private Path good;

    @BeforeEach
    void setUp() {
        m = NDManager.newBaseManager();
        x = Toy.mlpInput(m);
        AdaptedModel src = AdaptedModel.inject(Toy.init(new Toy.Mlp(), m, new Shape(9, 10)),
                AdapterConfig.builder().r(4).alpha(8).targetModules("lin0").init(false).seed(3).build());
        good = tmp.resolve("good");
        src.save(good, "default");
        model = AdaptedModel.inject(Toy.init(new Toy.Mlp(), m, new Shape(9, 10)),
                AdapterConfig.builder().r(2).targetModules("lin1").init(false).seed(4).build(), "keep");
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    static Stream<BrokenDir> cases() {
        return BrokenDirCases.all().stream();
    }

    @Test
    void theTableIsLargeAndTheGoodDirectoryLoads() {
        assertTrue(BrokenDirCases.all().size() >= 40, "cases: " + BrokenDirCases.all().size());
        model.load(good, "fine");
        assertEquals(List.of("keep", "fine"), model.adapterNames());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void brokenDirectoryIsRefusedInOneLineAndChangesNothing(BrokenDir c) throws Exception {
        Path dir = tmp.resolve("case");
        BrokenDirCases.copy(good, dir);
        c.breakIt().accept(dir);
        Snapshot before = new Snapshot(model, x);
        RuntimeException e = assertThrows(RuntimeException.class, () -> model.load(dir, "new"), c.name());
        assertEquals(c.type(), e.getClass(), c.name() + ": " + e);
        String msg = e.getMessage();
        assertNotNull(msg, c.name());
        assertFalse(msg.contains("\n") || msg.contains("\r"), c.name() + ": " + msg);
        assertTrue(msg.length() < 300, c.name() + ": " + msg.length() + " chars: " + msg);
        assertTrue(msg.contains(c.mustContain()), c.name() + ": expected '" + c.mustContain() + "' in: " + msg);
        before.assertSame(new Snapshot(model, x), c.name());
    }

    @Test
    void integralFloatRankIsAccepted() throws Exception {
        Path dir = tmp.resolve("r40");
        BrokenDirCases.copy(good, dir);
        BrokenDirCases.setConfig(dir, "r", "4.0");
        model.load(dir, "ok");
        assertEquals(4, model.config("ok").r());
    }

    @Test
    void mkfifoCases() throws Exception {
        for (String file : List.of(AdapterFiles.CONFIG, AdapterFiles.WEIGHTS)) {
            Path dir = tmp.resolve("fifo-" + file);
            BrokenDirCases.copy(good, dir);
            Files.delete(dir.resolve(file));
            Process p = new ProcessBuilder("mkfifo", dir.resolve(file).toString()).start();
            Assumptions.assumeTrue(p.waitFor() == 0, "mkfifo is not available");
            Snapshot before = new Snapshot(model, x);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.load(dir, "new"));
            assertTrue(e.getMessage().contains("FIFO") && e.getMessage().contains(file), e.getMessage());
            before.assertSame(new Snapshot(model, x), file);
        }
    }

    /** Outputs, adapters, every parameter's values and trainability. */
    record Snapshot(float[] out, List<String> adapters, List<String> active, List<String> names, List<float[]> values,
            List<Boolean> grads) {
        Snapshot(AdaptedModel am, NDArray x) {
            this(Toy.run(am.block(), x).toFloatArray(), List.copyOf(am.adapterNames()), List.copyOf(am.activeAdapters()),
                    new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            for (Pair<String, Parameter> p : am.block().getParameters()) {
                names.add(p.getKey());
                NDArray a = p.getValue().getArray();
                values.add(a.getDataType() == DataType.FLOAT32 ? a.toFloatArray() : a.toType(DataType.FLOAT32, false).toFloatArray());
                grads.add(p.getValue().requiresGradient());
            }
        }

        void assertSame(Snapshot after, String what) {
            assertArrayEquals(out, after.out, what + ": outputs");
            assertEquals(adapters, after.adapters, what + ": adapters");
            assertEquals(active, after.active, what + ": active adapters");
            assertEquals(names, after.names, what + ": parameters");
            assertEquals(grads, after.grads, what + ": trainability");
            for (int i = 0; i < values.size(); i++) {
                assertTrue(Arrays.equals(values.get(i), after.values.get(i)), what + ": values of " + names.get(i));
            }
        }
    }

    /** One broken directory: how to break a copy of the good one, and what the refusal must be. */
    record BrokenDir(String name, BrokenDirCases.Breaker breakIt, Class<? extends RuntimeException> type, String mustContain) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final Class<IllegalArgumentException> BAD = IllegalArgumentException.class;
    static final Class<UncheckedIOException> IO = UncheckedIOException.class;
}
