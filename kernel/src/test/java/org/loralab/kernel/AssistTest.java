package org.loralab.kernel;

import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AssistTest {

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
    void completesMembers() {
        k.eval("String s2 = \"abc\";");
        String code = "s2.toUpp";
        ReplacementOptions o = k.kernel.complete(code, code.length());
        assertEquals(List.of("toUpperCase("), o.getReplacements());
        assertEquals(3, o.getSourceStart());
        assertEquals(code.length(), o.getSourceEnd());
    }

    @Test
    void completesMagicNames() {
        String code = "int a = 1;\n%mav";
        ReplacementOptions o = k.kernel.complete(code, code.length());
        assertEquals(List.of("%maven", "%mavenRepo"), o.getReplacements());
        assertEquals(code.indexOf('%'), o.getSourceStart());
        ReplacementOptions cell = k.kernel.complete("%%ti", 4);
        assertEquals(List.of("%%time"), cell.getReplacements());
    }

    @Test
    void completionIgnoresMagicLinesInTheCell() {
        String code = "%classpath\nString t = \"x\";\nt.isEm";
        assertEquals(List.of("isEmpty()"), k.kernel.complete(code, code.length()).getReplacements());
    }

    @Test
    void inspectFindsMethodSignatures() {
        DisplayData d = k.kernel.inspect("Math.max", 8, false);
        assertNotNull(d);
        String text = (String) d.getData(MIMEType.TEXT_PLAIN);
        assertTrue(text.contains("max(int") && text.contains("max(double"), text);
        assertNotNull(d.getData(MIMEType.parse("text/html")));
        assertNull(k.kernel.inspect("   ", 1, false));
    }

    @Test
    void isCompleteAnswersWithIndent() {
        assertEquals(BaseKernel.IS_COMPLETE_YES, k.kernel.isComplete("int a = 1;"));
        assertEquals(BaseKernel.IS_COMPLETE_YES, k.kernel.isComplete("%maven a:b:1\n1 + 1"));
        assertEquals("    ", k.kernel.isComplete("for (int i = 0; i < 3; i++) {"));
        assertEquals("        ", k.kernel.isComplete("class C {\n  void f() {"));
    }
}
