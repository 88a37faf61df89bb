package org.loralab.kernel.magics;

import org.dflib.jjava.jupyter.kernel.magic.CellMagic;
import org.dflib.jjava.jupyter.kernel.magic.LineMagic;
import org.loralab.kernel.JShellKernel;

import java.util.List;
import java.util.Locale;

/** {@code %time CODE} and {@code %%time}: run the code, print its wall time, return its value. */
public final class TimeMagic implements LineMagic<Object, JShellKernel>, CellMagic<Object, JShellKernel> {

    @Override
    public Object eval(JShellKernel kernel, List<String> args) {
        return timed(kernel, String.join(" ", args));
    }

    @Override
    public Object eval(JShellKernel kernel, List<String> args, String body) {
        return timed(kernel, body);
    }

    /** Runs {@code code} (raw text, quotes intact) and prints how long it took. */
    public static Object timed(JShellKernel kernel, String code) {
        long start = System.nanoTime();
        try {
            return kernel.evalRaw(code);
        } finally {
            double ms = (System.nanoTime() - start) / 1e6;
            System.out.println(String.format(Locale.ROOT, "Wall time: %.1f ms", ms));
        }
    }
}
