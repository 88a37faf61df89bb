package org.loralab.lora.models.pretrained;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PretrainedBaseTest {
    /** A base small enough for a unit test: two classes (T-shirt, Trouser), 160 examples, two epochs. */
    static final BaseSpec TINY = new BaseSpec("tiny", 16, 1, 2, 32, 7, new int[] {0, 1}, 160, 64, 2, 16, 5e-3, 11);

    private static String previousFast;

    @BeforeAll
    static void fastData() {
        // the committed subset, not the 60k files, whatever the machine has
        previousFast = System.getProperty("loralab.fast");
        System.setProperty("loralab.fast", "true");
    }

    @AfterAll
    static void restore() {
        if (previousFast == null) {
            System.clearProperty("loralab.fast");
        } else {
            System.setProperty("loralab.fast", previousFast);
        }
    }

    @Test
    void buildingTwiceWithTheSameSeedGivesTheSameWeights(@TempDir Path a, @TempDir Path b) {
        List<float[]> first;
        List<float[]> second;
        try (Model m = PretrainedBase.build(TINY, a)) {
            first = weights(m);
        }
        try (Model m = PretrainedBase.build(TINY, b)) {
            second = weights(m);
        }
        assertEquals(first.size(), second.size());
        for (int i = 0; i < first.size(); i++) {
            assertArrayEquals(first.get(i), second.get(i), 1e-6f, "parameter " + i + " differs between builds");
        }
        BaseSpec otherSeed = new BaseSpec("tiny", 16, 1, 2, 32, 7, new int[] {0, 1}, 160, 64, 2, 16, 5e-3, 12);
        assertNotEquals(TINY.fileStem(), otherSeed.fileStem(), "the seed is part of the file name");
    }

    @Test
    void loadOrBuildBuildsOnceThenLoadsTheSameModel(@TempDir Path dir) throws Exception {
        Path params = PretrainedBase.paramsFile(TINY, dir);
        assertFalse(Files.exists(params));
        List<float[]> built;
        try (Model m = PretrainedBase.loadOrBuild(TINY, dir)) {
            built = weights(m);
        }
        assertTrue(Files.isRegularFile(params), "the build saved " + params);
        FileTime stamp = Files.getLastModifiedTime(params);
        try (Model m = PretrainedBase.loadOrBuild(TINY, dir); NDManager data = NDManager.newBaseManager()) {
            assertEquals(stamp, Files.getLastModifiedTime(params), "the second call loads, it does not rebuild");
            List<float[]> loaded = weights(m);
            for (int i = 0; i < built.size(); i++) {
                assertArrayEquals(built.get(i), loaded.get(i), 0f, "parameter " + i + " after the round trip");
            }
            for (Pair<String, Parameter> p : m.getBlock().getParameters()) {
                assertEquals(p.getValue().getArray().getShape(), p.getValue().getShape(),
                        p.getKey() + ": a loaded parameter knows its shape (parameter counts need it)");
                assertTrue(p.getValue().getArray().hasGradient(), p.getKey() + ": trainable after loading");
            }
            PretrainedBase.Info info = PretrainedBase.info(TINY, dir);
            assertFalse(info.built());
            double measured = Evaluation.accuracy(m.getBlock(), FashionTask.pretraining(data, TINY).test());
            assertEquals(info.testAccuracy(), measured, 1e-9, "the recorded accuracy is the loaded model's");
        }
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".building-")),
                    "no temp folder is left behind");
        }
    }

    @Test
    void fastAndFullBasesHaveDifferentFiles(@TempDir Path dir) {
        assertNotEquals(PretrainedBase.paramsFile(BaseSpec.fast(), dir), PretrainedBase.paramsFile(BaseSpec.full(), dir));
        assertEquals(BaseSpec.fast().classes().length, BaseSpec.full().classes().length,
                "both bases have the head the fine-tuning notebooks expect");
    }

    @Test
    void theSameCodeReusesTheCacheAndOtherCodeBuildsItsOwn(@TempDir Path dir) throws Exception {
        List<float[]> built;
        try (Model m = PretrainedBase.loadOrBuild(TINY, dir, "aaaa")) {
            built = weights(m);
        }
        Path a = PretrainedBase.paramsFile(TINY, dir, "aaaa");
        FileTime stamp = Files.getLastModifiedTime(a);
        try (Model m = PretrainedBase.loadOrBuild(TINY, dir, "aaaa")) {
            assertEquals(stamp, Files.getLastModifiedTime(a), "the same fingerprint loads the cached file");
            assertEquals(PretrainedBase.stem(TINY, "aaaa"), m.getName());
        }
        assertFalse(PretrainedBase.info(TINY, dir, "aaaa").built());

        Path b = PretrainedBase.paramsFile(TINY, dir, "bbbb");
        assertNotEquals(a, b);
        assertFalse(Files.exists(b));
        try (Model m = PretrainedBase.loadOrBuild(TINY, dir, "bbbb")) {
            assertTrue(Files.isRegularFile(b), "another fingerprint builds its own base");
            List<float[]> rebuilt = weights(m);
            for (int i = 0; i < built.size(); i++) {
                assertArrayEquals(built.get(i), rebuilt.get(i), 1e-6f, "same recipe, same seed: parameter " + i);
            }
        }
        assertEquals(stamp, Files.getLastModifiedTime(a), "the other fingerprint's file is left alone");
        assertTrue(PretrainedBase.paramsFile(TINY, dir).getFileName().toString()
                .contains("-code" + CodeFingerprint.current() + "-"), "the default key is the running code's");
    }

    @Test
    void aCorruptCachedFileIsRebuiltWithAOneLineNotice(@TempDir Path dir) throws Exception {
        List<float[]> built;
        try (Model m = PretrainedBase.loadOrBuild(TINY, dir, "aaaa")) {
            built = weights(m);
        }
        Path params = PretrainedBase.paramsFile(TINY, dir, "aaaa");
        byte[] bytes = Files.readAllBytes(params);
        Files.write(params, Arrays.copyOf(bytes, bytes.length / 2));
        String err = stderrOf(() -> {
            try (Model m = PretrainedBase.loadOrBuild(TINY, dir, "aaaa")) {
                List<float[]> rebuilt = weights(m);
                for (int i = 0; i < built.size(); i++) {
                    assertArrayEquals(built.get(i), rebuilt.get(i), 1e-6f, "rebuilt parameter " + i);
                }
            }
        });
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertTrue(err.contains(params.toString()) && err.contains("rebuilding"), err);
        assertEquals(bytes.length, Files.size(params), "the rebuilt file replaced the corrupt one");

        // a flipped byte that DJL would load without complaint is caught by the recorded checksum
        bytes = Files.readAllBytes(params);
        bytes[bytes.length - 3] ^= 0x55;
        Files.write(params, bytes);
        err = stderrOf(() -> PretrainedBase.loadOrBuild(TINY, dir, "aaaa").close());
        assertTrue(err.contains("SHA-256") && err.contains("rebuilding") && err.lines().count() == 1, err);

        // the same with the checksum removed from the info file: nothing to check against is not trusted either
        Path infoFile = dir.resolve(PretrainedBase.stem(TINY, "aaaa") + ".json");
        Files.writeString(infoFile, Files.readString(infoFile).replaceAll("\"params_sha256\"\\s*:\\s*\"[0-9a-f]+\",?", ""));
        assertFalse(Files.readString(infoFile).contains("params_sha256"), Files.readString(infoFile));
        bytes = Files.readAllBytes(params);
        bytes[bytes.length - 3] ^= 0x55;
        Files.write(params, bytes);
        err = stderrOf(() -> PretrainedBase.loadOrBuild(TINY, dir, "aaaa").close());
        assertTrue(err.contains("params_sha256") && err.contains("rebuilding") && err.lines().count() == 1, err);
        assertTrue(Files.readString(infoFile).contains("params_sha256"), "the rebuilt cache records its checksum again");

        // an unreadable info file: info() rebuilds too
        Files.writeString(dir.resolve(PretrainedBase.stem(TINY, "aaaa") + ".json"), "{not json");
        PretrainedBase.Info[] info = new PretrainedBase.Info[1];
        err = stderrOf(() -> info[0] = PretrainedBase.info(TINY, dir, "aaaa"));
        assertTrue(info[0].built() && info[0].testAccuracy() > 0, info[0].toString());
        assertTrue(err.contains("rebuilding") && err.lines().count() == 1, err);
    }

    @Test
    void aCodeFingerprintIsLowerCaseLettersOrDigits() {
        assertThrows(IllegalArgumentException.class, () -> PretrainedBase.stem(TINY, "../x"));
        assertThrows(IllegalArgumentException.class, () -> PretrainedBase.stem(TINY, ""));
    }

    @Test
    void aCorruptFileFailsWithItsName(@TempDir Path dir) throws Exception {
        PretrainedBase.build(TINY, dir).close();
        Path params = PretrainedBase.paramsFile(TINY, dir);
        byte[] bytes = Files.readAllBytes(params);
        Files.write(params, Arrays.copyOf(bytes, bytes.length / 2));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PretrainedBase.load(TINY, dir));
        assertTrue(e.getMessage().contains(params.toString()) && e.getMessage().contains("delete it"), e.getMessage());
    }

    /** What {@code action} printed on System.err. */
    private static String stderrOf(Runnable action) {
        PrintStream previous = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(previous);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    private static List<float[]> weights(Model m) {
        List<float[]> out = new ArrayList<>();
        for (Pair<String, Parameter> p : m.getBlock().getParameters()) {
            out.add(p.getValue().getArray().toFloatArray());
        }
        return out;
    }
}
