package org.loralab.kernel;

import org.dflib.jjava.jupyter.kernel.magic.LineMagic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loralab.kernel.errors.ErrorReport;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ErrorsTest {

    static TestKernel k;

    @BeforeAll
    static void start() {
        k = new TestKernel();
        k.kernel.getMagicsRegistry().registerLineMagic("boom", (LineMagic<Object, JShellKernel>) (kernel, args) -> {
            throw new AssertionError("magic blew up");
        });
    }

    @AfterAll
    static void stop() {
        k.close();
    }

    private static ErrorReport failure(String code) {
        TestKernel.Captured c = k.capture(code);
        assertNotNull(c.thrown(), "expected " + code + " to fail");
        assertInstanceOf(RuntimeException.class, c.thrown(), "an Error escaping evalRaw would kill Shell-0");
        return ErrorReport.of(c.thrown());
    }

    @Test
    void compileErrorShowsSourceLineAndSpan() {
        ErrorReport r = failure("int ok = 1;\nString s = 42;");
        assertEquals("CompilationException", r.ename());
        assertTrue(r.evalue().contains("incompatible types"), r.evalue());
        List<String> tb = r.traceback();
        assertTrue(tb.contains("    String s = 42;"), tb.toString());
        assertTrue(tb.contains("               ^^"), tb.toString());
        assertEquals("1", k.text("ok"));
    }

    @Test
    void runtimeExceptionShowsUserClassMessageAndStackWithoutKernelFrames() {
        k.eval("void fail() { throw new IllegalStateException(\"bad state\"); }");
        ErrorReport r = failure("fail();");
        assertEquals("IllegalStateException", r.ename());
        assertEquals("bad state", r.evalue());
        assertEquals("java.lang.IllegalStateException: bad state", r.traceback().get(0));
        assertTrue(r.traceback().stream().anyMatch(l -> l.contains("fail(")), r.traceback().toString());
        assertFalse(r.traceback().stream().anyMatch(l -> l.contains("org.loralab.kernel")
                || l.contains("jdk.jshell") || l.contains("reflect")), r.traceback().toString());
    }

    @Test
    void causeChainIsShown() {
        ErrorReport r = failure("throw new RuntimeException(\"outer\", new java.io.IOException(\"inner\"));");
        assertEquals("RuntimeException", r.ename());
        assertTrue(r.traceback().contains("Caused by: java.io.IOException: inner"), r.traceback().toString());
    }

    @Test
    void errorsThrownByUserCodeLeaveTheKernelAlive() {
        assertEquals("StackOverflowError", failure("int down(int n) { return down(n + 1) + 1; }\ndown(0)").ename());
        assertEquals("OutOfMemoryError", failure("throw new OutOfMemoryError(\"pretend\");").ename());
        assertEquals("AssertionError", failure("throw new AssertionError(\"no\");").ename());
        assertEquals("2", k.text("1+1"));
    }

    @Test
    void errorThrownByMagicLeavesTheKernelAlive() {
        ErrorReport r = failure("%boom");
        assertEquals("AssertionError", r.ename());
        assertEquals("magic blew up", r.evalue());
        assertEquals("3", k.text("1+2"));
    }

    @Test
    void unknownMagicNamesTheKnownOnes() {
        ErrorReport r = failure("%nosuch arg");
        assertEquals("UnknownMagicException", r.ename());
        assertTrue(r.evalue().startsWith("unknown magic %nosuch; known: "), r.evalue());
        assertTrue(r.evalue().contains("%maven") && r.evalue().contains("%classpath"), r.evalue());
        assertEquals(List.of("UnknownMagicException: " + r.evalue()), r.traceback());
    }

    @Test
    void unresolvedReferenceIsExplained() {
        k.eval("int usesMissing() { return missingThing(); }");
        ErrorReport r = failure("usesMissing()");
        assertEquals("UnresolvedDependencyException", r.ename());
        assertTrue(r.evalue().contains("missingThing"), r.evalue());
    }

    @Test
    void incompleteInputIsReported() {
        assertEquals("IncompleteSourceException", failure("class Open {\n  void f() {").ename());
    }
}
