package org.loralab.ext;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loralab.kernel.JShellKernel;
import org.loralab.kernel.JShellKernelBuilder;

/** The extension, found through META-INF/services, installs into our JShell kernel and its magics run there. */
class KernelInstallTest {
    static JShellKernel kernel;
    static RecordingDisplay display = new RecordingDisplay();

    @BeforeAll
    static void start() {
        kernel = new JShellKernelBuilder().mavenOffline(true).build();
        kernel.onStartup();
        // what the kernelspec's classpath setting does with kernel-ext/target/lib; this triggers extension loading
        kernel.addToClasspath(Path.of("target/classes").toAbsolutePath().toString());
        Lab.reset();
        Lab.setDisplay(display);
    }

    @AfterAll
    static void stop() {
        Lab.reset();
        kernel.onShutdown(false);
    }

    @Test
    void magicsAndRenderersAreInstalled() throws Exception {
        assertTrue(kernel.getMagicsRegistry().getLineMagicNames().containsAll(
                java.util.Set.of("lora", "device", "spectrum", "sweep", "search", "lab")));
        assertTrue(kernel.getMagicsRegistry().getCellMagicNames().contains("train"));
        DisplayData d = kernel.eval("tech.tablesaw.api.Table.create(\"t\", "
                + "tech.tablesaw.api.StringColumn.create(\"c\", new String[] {\"<x>\"}))");
        assertTrue(String.valueOf(d.getData(MIMEType.TEXT_HTML)).contains("&lt;x&gt;"));
    }

    @Test
    void aBadMagicOptionKeepsTheKernelsObjects() throws Exception {
        kernel.eval("int kept = 41 + 1;");
        Exception e = assertThrows(Exception.class, () -> kernel.eval("%lora inject rnk=8"));
        String all = e + " " + (e.getCause() == null ? "" : e.getCause().toString());
        assertTrue(all.contains("unknown option 'rnk' (did you mean 'r'?)"), all);
        DisplayData d = kernel.eval("kept");
        assertEquals("42", String.valueOf(d.getData(MIMEType.TEXT_PLAIN)));
    }

    @Test
    void aboutNamesTheVersionAndEveryClassPathEntry() {
        String about = Lab.about();
        assertTrue(about.startsWith("LoRA Lab " + Lab.VERSION + " (Java "), about);
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            assertTrue(about.contains("\n  " + entry), entry);
        }
    }

    @Test
    void labHelpRunsThroughTheKernel() throws Exception {
        int before = display.events.size();
        kernel.eval("%lab help");
        assertTrue(String.valueOf(display.events.get(before).value()).contains("Lab.use(model)"));
    }
}
