package org.loralab.lora.variant.qlora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.loralab.lora.quant.QuantizedWeight;
import org.loralab.lora.variant.BaseLayer;
import org.loralab.lora.variant.BaseWeightSource;

/**
 * The quantised W of one base Linear: the only copy of the base weight in memory while QLoRA adapters use the
 * layer (they share it). Installed as the base's {@link BaseWeightSource}; the last adapter to go puts W back
 * into the Parameter as dense {@code dequant(Q)}, which is what the Parameter held before this class existed.
 */
final class QuantizedBase implements BaseWeightSource {
    private QuantizedWeight weight;
    private int users;

    private QuantizedBase(QuantizedWeight weight) {
        this.weight = weight;
    }

    /**
     * Makes {@code q} the base's weight, joining the quantised base already installed there (a later adapter
     * quantises the W it finds, as each QLoRA layer did before) or installing a new one.
     */
    static QuantizedBase attach(BaseLayer base, QuantizedWeight q) {
        QuantizedBase qb = base.weightSource() instanceof QuantizedBase ? (QuantizedBase) base.weightSource() : null;
        if (qb == null) {
            qb = new QuantizedBase(q);
            base.setWeightSource(qb);
        } else {
            qb.weight = q;
        }
        qb.users++;
        return qb;
    }

    /** One adapter less; the last one puts dense {@code dequant(Q)} back into the base's Parameter. */
    void detach(BaseLayer base) {
        if (--users == 0 && base.weightSource() == this) {
            base.setWeightSource(null);
        }
    }

    QuantizedWeight weight() {
        return weight;
    }

    void set(QuantizedWeight q) {
        this.weight = q;
    }

    @Override
    public NDArray materialize(NDManager manager) {
        return weight.dequantize(manager);
    }

    @Override
    public float[] values() {
        return weight.dequantize();
    }

    @Override
    public void write(float[] values) {
        weight = weight.requantize(values);
    }

    @Override
    public long residentBytes() {
        return weight.storedBytes();
    }
}
