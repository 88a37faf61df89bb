package org.loralab.ext.live;

import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.BaseNotebookStatics;
import org.loralab.lora.train.Interrupts;

/**
 * Display through jjava-jupyter's {@link BaseNotebookStatics} (display / updateDisplay with display ids), the calls
 * that link the same in our kernel and in a stock JJava kernel. A send never turns a pending stop request into an
 * exception (a ZMQ socket fails with EINTR on an interrupted thread): the flag is kept aside during the send and set
 * again after it ({@link Interrupts#keepingInterrupt}), so training stops at its next batch instead.
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
        String[] id = new String[1];
        Interrupts.keepingInterrupt(() -> id[0] = BaseNotebookStatics.display(value, mime));
        return id[0];
    }

    @Override
    public void update(String id, Object value, String mime) {
        Interrupts.keepingInterrupt(() -> BaseNotebookStatics.updateDisplay(id, value, mime));
    }
}
