package org.loralab.kernel;

import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvalTest {

    static TestKernel k;

    @BeforeAll
    static void start() {
        k = new TestKernel();
    }

    @AfterAll
    static void stop() {
        k.close();
    }

    @Test
    void expressionGivesExecuteResult() {
        assertEquals("2", k.text("1+1"));
    }

    @Test
    void statementsAndDeclarationsGiveNoResult() {
        assertNull(k.eval("int a = 40;"));
        assertNull(k.eval("void bump() { a++; }"));
        assertNull(k.eval("bump();"));
        assertEquals("41", k.text("a"));
    }

    @Test
    void multiSnippetCellReturnsLastExpression() {
        assertEquals("42", k.text("int x = 40;\nint y = 2;\nx + y"));
    }

    @Test
    void lastStatementWinsOverEarlierExpression() {
        assertNull(k.eval("1 + 1;\nint z = 3;"));
    }

    @Test
    void trailingSemicolonHidesTheValue() {
        assertNull(k.eval("1 + 1;"));
        assertNull(k.eval("\"id\".length();  "));
        assertEquals("2", k.text("1 + 1"));
        assertEquals("3", k.text("int w = 3;\nw"));
    }

    @Test
    void redefinitionReplacesMethodAndVariable() {
        k.eval("int twice(int v) { return 2 * v; }");
        k.eval("int twice(int v) { return 3 * v; }");
        assertEquals("9", k.text("twice(3)"));
        k.eval("String s = \"first\";");
        k.eval("String s = \"second\";");
        assertEquals("second", k.text("s"));
    }

    @Test
    void mutuallyDependentClassesWork() {
        assertNull(k.eval("class A { B b; int v() { return b == null ? 1 : 2; } }"));
        assertNull(k.eval("class B { A a = new A(); }"));
        assertEquals("1", k.text("new B().a.v()"));
        assertEquals("P[a=1, b=2]", k.text("record P(int a, int b) {}\nnew P(1, 2)"));
    }

    @Test
    void nullValueGivesNoResult() {
        assertNull(k.eval("Object o = null;\no"));
    }

    @Test
    void printsGoToStdoutAndStderr() {
        TestKernel.Captured c = k.capture("System.out.print(\"no newline\"); System.err.println(\"oops\");");
        assertNull(c.thrown());
        assertEquals("no newline", c.out());
        assertEquals("oops\n", c.err());
    }

    @Test
    void imageRendersAsPng() {
        DisplayData d = k.eval("new java.awt.image.BufferedImage(4, 4, java.awt.image.BufferedImage.TYPE_INT_RGB)");
        assertNotNull(d.getData(MIMEType.parse("image/png")));
        assertNotNull(d.getData(MIMEType.TEXT_PLAIN));
    }

    @Test
    void renderWithIJavaNamesAndArgumentOrder() {
        DisplayData d = k.eval("render(\"<b>bold</b>\", \"text/html\")");
        assertEquals("<b>bold</b>", d.getData(MIMEType.parse("text/html")));
        DisplayData svg = k.eval("render(\"<svg xmlns='http://www.w3.org/2000/svg'/>\", \"image/svg+xml\")");
        assertNotNull(svg.getData(MIMEType.parse("image/svg+xml")));
        DisplayData md = k.eval("render(\"# title\", \"text/markdown\")");
        assertEquals("# title", md.getData(MIMEType.parse("text/markdown")));
    }

    @Test
    void defaultImportsAreThere() {
        assertEquals("[1, 2]", k.text("List.of(1, 2)"));
        assertTrue(k.text("Path.of(\"a\")").endsWith("a"));
    }
}
