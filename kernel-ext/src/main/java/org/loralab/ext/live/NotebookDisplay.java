package org.loralab.ext.live;

import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.BaseNotebookStatics;

/**
 * Display through jjava-jupyter's {@link BaseNotebookStatics} (display / updateDisplay with display ids), the calls
 * that link the same in our kernel and in a stock JJava kernel.
 */
public final class NotebookDisplay implements Display {

    /** Whether a notebook kernel is running in this JVM (false outside Jupyter or without jjava-jupyter). */
    public static boolean available() {
        try {
            return BaseKernel.notebookKernel() != null;
        } catch (LinkageError e) {
            return false;
        }
    }

    @Override
    public String show(Object value, String mime) {
        return BaseNotebookStatics.display(value, mime);
    }

    @Override
    public void update(String id, Object value, String mime) {
        BaseNotebookStatics.updateDisplay(id, value, mime);
    }
}
