package org.loralab.lora.io;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.testing.Toy;

/** A failed save says why, leaves no directory it created and no temp file, and keeps an earlier save intact. */
class AdapterSaveFailureTest {
    @TempDir
    Path tmp;
    private NDManager m;
    private AdaptedModel am;

    @BeforeEach
    void setUp() {
        m = NDManager.newBaseManager();
        am = AdaptedModel.inject(Toy.init(new Toy.Mlp(), m, new Shape(9, 10)), AdapterConfig.builder().r(2).targetModules("lin0").build());
    }

    @AfterEach
    void tearDown() {
        m.close();
    }

    private List<Path> listing() throws Exception {
        try (Stream<Path> s = Files.walk(tmp)) {
            return s.sorted().toList();
        }
    }

    @Test
    void aFileInTheWayIsNamedAsTheReason() throws Exception {
        Path file = Files.writeString(tmp.resolve("plain"), "x");
        List<Path> before = listing();
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> am.save(file, "default"));
        assertTrue(e.getMessage().contains("already exists and is not a directory"), e.getMessage());
        UncheckedIOException under = assertThrows(UncheckedIOException.class, () -> am.save(file.resolve("sub"), "default"));
        assertTrue(under.getMessage().toLowerCase().contains("not a directory"), under.getMessage());
        assertFalse(under.getMessage().contains("\n"));
        assertEquals(before, listing(), "nothing created, nothing left");
    }

    @Test
    void directoriesItCreatedAreRemovedWhenTheSaveFails() throws Exception {
        Path deep = tmp.resolve("a").resolve("b").resolve("x".repeat(300));
        List<Path> before = listing();
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> am.save(deep, "default"));
        assertTrue(e.getMessage().contains("could not save adapter 'default'"), e.getMessage());
        assertTrue(e.getMessage().toLowerCase().contains("name too long"), e.getMessage());
        assertEquals(before, listing(), "a and b were created, then removed");
    }

    @Test
    void aFailedRenameLeavesNoTempFiles() throws Exception {
        Path dir = tmp.resolve("saved");
        am.save(dir, "default");
        String config = Files.readString(dir.resolve(AdapterFiles.CONFIG));
        // a directory where the config's temp file would be renamed to makes the second rename fail
        Files.delete(dir.resolve(AdapterFiles.CONFIG));
        Files.createDirectory(dir.resolve(AdapterFiles.CONFIG));
        Files.writeString(dir.resolve(AdapterFiles.CONFIG).resolve("keep"), config);
        assertThrows(UncheckedIOException.class, () -> am.save(dir, "default"));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(AdapterFiles.CONFIG, AdapterFiles.WEIGHTS),
                    s.map(p -> p.getFileName().toString()).sorted().toList(), "no temp files");
        }
        assertEquals(config, Files.readString(dir.resolve(AdapterFiles.CONFIG).resolve("keep")));
    }

    @Test
    void ioReasonsAreWords() {
        assertEquals("permission denied: /x", IoErrors.reason(new AccessDeniedException("/x")));
        assertEquals("no such file or directory: /y", IoErrors.reason(new NoSuchFileException("/y")));
        assertEquals("Read-only file system: /z", IoErrors.reason(new FileSystemException("/z", null, "Read-only file system")));
    }
}
