package org.loralab.kernel;

import org.dflib.jjava.jupyter.kernel.magic.LineMagic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loralab.kernel.errors.ErrorReport;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue #12's cell-level findings: exit, long literals, the magic rule, exception text, special files. */
class CellRobustnessTest {

    static TestKernel k;

    @BeforeAll
    static void start() {
        k = new TestKernel();
        k.kernel.getMagicsRegistry().registerLineMagic("picky", (LineMagic<Object, JShellKernel>) (kernel, args) -> {
            throw new IllegalArgumentException("picky: unknown option " + args, new NumberFormatException("x"));
        });
        k.kernel.getMagicsRegistry().registerLineMagic("named", (LineMagic<Object, JShellKernel>) (kernel, args) -> {
            throw new IllegalStateException("%named: run %other first");
        });
    }

    @AfterAll
    static void stop() {
        k.close();
    }

    private static ErrorReport failure(String code) {
        TestKernel.Captured c = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> k.capture(code));
        assertNotNull(c.thrown(), () -> "expected " + code + " to fail, got " + c.value());
        return ErrorReport.of(c.thrown());
    }

    @Test
    void exitAndHaltAreRefusedWithOneLineAndTheKernelLives() {
        for (String call : List.of("System.exit(0);", "Runtime.getRuntime().exit(3);", "Runtime.getRuntime().halt(1);",
                "java.util.function.IntConsumer bye = System::exit; bye.accept(4);",
                "new Thread(() -> System.exit(5)).run();")) {
            ErrorReport r = failure(call);
            assertEquals("ExitRefusedException", r.ename(), call);
            assertEquals(1, r.traceback().size(), r.traceback().toString());
            assertTrue(r.evalue().contains("would end the kernel"), r.evalue());
        }
        assertEquals("2", k.text("1 + 1"));
    }

    @Test
    void aStringLiteralOverTheConstantLimitIsOneLineAndLaterDeclarationsWork() {
        ErrorReport r = failure("String big = \"" + "a".repeat(70_000) + "\";");
        assertEquals("SourceLimitException", r.ename());
        assertEquals(1, r.traceback().size());
        assertTrue(r.evalue().contains("70,000 bytes"), r.evalue());
        assertNull(k.eval("int afterBig = 7;"));
        assertEquals("7", k.text("afterBig"));
        // multi-byte characters count by their UTF-8 size; just under the limit still compiles
        assertEquals("21000", k.text("\"" + "\u00e9".repeat(21_000) + "\".length()"));
        failure("String big2 = \"" + "\u00e9".repeat(33_000) + "\";");
        assertEquals("60000", k.text("String ok = \"" + "b".repeat(60_000) + "\"; ok.length()"));
        assertNull(k.eval("int afterBig2 = 8;"));
        assertEquals("8", k.text("afterBig2"));
    }

    @Test
    void aPercentThatDoesNotStartAMagicIsJava() {
        assertEquals("6", k.text("int a = 20\n% 7;\na"));
        assertEquals("2", k.text("int b = 20\n%a;\nb"));
        assertEquals("UnknownMagicException", failure("%nosuchmagic").ename());
        assertEquals("UnknownMagicException", failure("int c = 1;\n%nosuchmagic x").ename());
    }

    @Test
    void aGetMessageThatThrowsStillShowsTheException() {
        k.eval("class BadEx extends RuntimeException { public String getMessage() { throw new IllegalStateException(); } }");
        ErrorReport r = failure("throw new BadEx();");
        assertEquals("BadEx", r.ename());
        assertTrue(r.evalue().contains("getMessage() threw java.lang.IllegalStateException"), r.evalue());
    }

    @Test
    void noMessageMeansNoColonNull() {
        ErrorReport r = failure("throw new RuntimeException();");
        assertEquals("RuntimeException", r.ename());
        assertEquals("java.lang.RuntimeException", r.traceback().get(0));
        assertEquals("", r.evalue());
    }

    @Test
    void userExceptionClassesShowAsWritten() {
        k.eval("class MyEx extends RuntimeException { MyEx(String m) { super(m); } }");
        ErrorReport r = failure("throw new MyEx(\"mine\");");
        assertEquals("MyEx", r.ename());
        assertEquals("MyEx: mine", r.traceback().get(0));
        assertFalse(String.join("\n", r.traceback()).contains("$JShell$"), r.traceback().toString());
    }

    @Test
    void infiniteRecursionFoldsRepeatedFrames() {
        k.eval("int down(int n) { return down(n + 1); }");
        ErrorReport r = failure("down(0)");
        assertEquals("StackOverflowError", r.ename());
        assertTrue(r.traceback().size() <= 40, r.traceback().size() + " lines");
        assertTrue(r.traceback().stream().anyMatch(l -> l.matches("\\t\\.\\.\\. [0-9,]+ more frames like the above")),
                r.traceback().toString());
        assertEquals("3", k.text("1 + 2"));
    }

    @Test
    void aMessageThatNamesItsMagicIsShownAsItIs() {
        ErrorReport r = failure("%named");
        assertEquals(List.of("%named: run %other first"), r.traceback());
    }

    @Test
    void aMagicsOwnExceptionIsItsMessagesNotFrames() {
        ErrorReport r = failure("%picky zzz");
        assertEquals("IllegalArgumentException", r.ename());
        assertEquals(List.of("%picky: IllegalArgumentException: picky: unknown option [zzz]",
                "Caused by: NumberFormatException: x"), r.traceback());
    }

    @Test
    void classpathSkipsFifosInsteadOfHanging() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("cp-fifo");
        java.nio.file.Path fifo = dir.resolve("pipe.jar");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        try {
            assertEquals("MagicException", failure("%classpath " + fifo).ename());
            assertEquals("MagicException", failure("%classpath " + dir + "/*").ename());
            assertEquals("MagicException", failure("%classpath " + dir + "/**").ename());
            assertEquals("5", k.text("2 + 3"));
        } finally {
            java.nio.file.Files.delete(fifo);
            java.nio.file.Files.delete(dir);
        }
    }
}
