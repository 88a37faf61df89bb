package org.loralab.lora.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.List;

/** A copy of the trainable weights after the last good step, for the non-finite guard to restore. */
final class WeightBackup {
    private final List<ParamInfo> trainable;
    private final NDArray[] copies;

    WeightBackup(List<ParamInfo> trainable, NDManager scope) {
        this.trainable = trainable;
        this.copies = new NDArray[trainable.size()];
        for (int i = 0; i < copies.length; i++) {
            copies[i] = trainable.get(i).parameter().getArray().duplicate();
            copies[i].attach(scope);
        }
    }

    void save() {
        for (int i = 0; i < copies.length; i++) {
            copies[i].set(new NDIndex(":"), trainable.get(i).parameter().getArray());
        }
    }

    void restore(NDManager scope) {
        for (int i = 0; i < copies.length; i++) {
            // an indexed assignment writes into the shared storage (copyTo would swap the view's tensor instead)
            GroupedOptimizer.writable(scope, trainable.get(i).parameter().getArray()).set(new NDIndex(":"), copies[i]);
        }
    }
}
