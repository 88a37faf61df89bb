package org.loralab.lora.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;

/** The trainable gradients of one fit on every device: their global norm, clipping, clearing. */
final class Gradients {
    private final List<ParamInfo> trainable;
    private final ParameterStore store;
    private final Device[] devices;

    Gradients(List<ParamInfo> trainable, ParameterStore store, Device[] devices) {
        this.trainable = trainable;
        this.store = store;
        this.devices = devices;
    }

    /** The global L2 norm of every trainable gradient on every device, read back with one sync. */
    double norm(NDManager scope) {
        NDList squares = new NDList();
        for (ParamInfo p : trainable) {
            for (Device d : devices) {
                NDArray value = store.getValue(p.parameter(), d, true);
                if (value.hasGradient()) {
                    NDArray g = value.getGradient();
                    g.attach(scope);
                    NDArray s = g.square().sum();
                    s.attach(scope);
                    squares.add(d.equals(devices[0]) ? s : s.toDevice(devices[0], false));
                }
            }
        }
        if (squares.isEmpty()) {
            return 0;
        }
        NDArray total = NDArrays.stack(squares).sum();
        total.attach(scope);
        return Math.sqrt(total.getFloat());
    }

    /** Scales every trainable gradient so their global L2 norm is at most clipNorm (torch clip_grad_norm_). */
    void clip(NDManager scope, double clipNorm) {
        double sq = 0;
        List<NDArray> grads = new ArrayList<>();
        for (ParamInfo p : trainable) {
            NDArray g = p.parameter().getArray().getGradient();
            g.attach(scope); // a wrapper per call; closing it leaves the gradient itself alone
            grads.add(g);
            NDArray s = g.square().sum();
            s.attach(scope);
            sq += s.getFloat();
        }
        double norm = Math.sqrt(sq);
        double coef = clipNorm / (norm + 1e-6);
        if (coef < 1) {
            for (NDArray g : grads) {
                g.muli(coef);
            }
        }
    }

    /**
     * PyTorch accumulates into .grad and DJL's GradientCollector does not clear it: DJL's built-in optimizers do
     * that inside their update, ours (GroupedOptimizer, LoraFaOptimizer) leave it to the loop, after the
     * variants' afterStep hooks have read the gradients. Every device copy is cleared.
     */
    void zero(NDManager scope) {
        for (ParamInfo p : trainable) {
            for (Device d : devices) {
                NDArray value = store.getValue(p.parameter(), d, true);
                if (value.hasGradient()) {
                    NDArray g = value.getGradient();
                    g.attach(scope); // a wrapper per call; the indexed write below goes to the shared storage
                    g.set(new NDIndex(":"), 0f);
                }
            }
        }
    }
}
