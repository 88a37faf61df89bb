package org.loralab.kernel;

import org.dflib.jjava.jupyter.kernel.display.DisplayData;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * A kernel driven directly (no ZMQ). BaseKernel.notebookKernel is JVM-wide, so each test class starts one
 * and shuts it down when done.
 */
final class TestKernel implements AutoCloseable {

    final JShellKernel kernel;

    TestKernel() {
        this(new JShellKernelBuilder().mavenOffline(true));
    }

    TestKernel(JShellKernelBuilder builder) {
        kernel = builder.build();
        kernel.onStartup();
    }

    /** Renders the cell's value the way an execute_result would be. */
    DisplayData eval(String code) {
        return kernel.eval(code);
    }

    String text(String code) {
        DisplayData d = kernel.eval(code);
        return d == null ? null : String.valueOf(d.getData(org.dflib.jjava.jupyter.kernel.display.mime.MIMEType.TEXT_PLAIN));
    }

    /** What the cell printed to System.out (user code writes to whatever System.out is while it runs). */
    Captured capture(String code) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        Throwable thrown = null;
        Object value = null;
        try {
            value = kernel.evalRaw(code);
        } catch (Throwable t) {
            thrown = t;
        } finally {
            System.out.flush();
            System.setOut(out);
            System.setErr(err);
        }
        return new Captured(value, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8), thrown);
    }

    record Captured(Object value, String out, String err, Throwable thrown) {
    }

    @Override
    public void close() {
        kernel.onShutdown(false);
    }
}
