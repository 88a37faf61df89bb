package org.loralab.lora.variant.qlora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.LinkedHashMap;
import java.util.Map;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.quant.LoftQConfig;
import org.loralab.lora.quant.LoftQResult;
import org.loralab.lora.quant.MemoryReport;
import org.loralab.lora.quant.QuantizedMerge;
import org.loralab.lora.quant.QuantizedWeight;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.ParamSource;
import org.loralab.lora.variant.lora.LoraLayer;

/**
 * LoRA on a Linear whose frozen weight is held in quantised storage, PEFT's {@code lora.bnb.Linear4bit} /
 * {@code Linear8bitLt} semantics (spec §13.4): {@code y = x·dequant(Q)ᵀ + b + s·B(A(drop(x)))}.
 *
 * <p><b>Where the weight lives.</b> The {@link QuantizedWeight} (packed codes + block constants) is the only copy
 * of the base weight in memory. It is installed as the base layer's {@link org.loralab.lora.variant.BaseWeightSource}
 * (shared by every QLoRA adapter on that layer): the base weight Parameter keeps its logical shape (parameter
 * counts, the DJL tree) but its fp32 storage is freed. Each forward dequantises W into a scratch manager, runs
 * the base op with it and closes it; autograd keeps that transient tensor only until backward when the input
 * needs a gradient. Nothing fp32 is cached. The outputs are bit for bit those of a dense {@code dequant(Q)}
 * weight. Reads of W ({@code baseWeight}, spectra, merges) dequantise on demand; DJL's {@code saveParameters}
 * writes {@code dequant(Q)} (densified for the duration of the write) and {@code loadParameters} re-quantises
 * what it reads. {@link #memoryReport()} gives the stored bytes, {@link #residentMemory()} what is held now.
 * When the last QLoRA adapter of the layer is deleted or unloaded, the Parameter gets dense {@code dequant(Q)}
 * back. Cost: one dequantisation per forward (see {@code bench/lora/QLoraSpeedBench}). Other adapters on the same
 * layer read W through {@link org.loralab.lora.variant.BaseLayer#denseWeight} (DoRA there is PEFT's DoRA on a 4-bit
 * base); a {@code modules_to_save} module containing the layer, and training the held weight, are refused.
 *
 * <p><b>Merge drift.</b> Merge is {@code Q' = quant(dequant(Q) + s·B·A)}, unmerge {@code Q'' = quant(dequant(Q') -
 * s·B·A)}, as PEFT does (it warns "may get different generations due to rounding errors"). Each step moves
 * every value to a code again: the merged weight differs from {@code dequant(Q) + ΔW} by at most half a code
 * step per value (NF4: up to about 0.15·absmax of its block, in the widest gap between -1 and -0.696; int8: rowmax/254), and merge
 * then unmerge does not give back Q in general. {@link #lastMerge()} returns the Frobenius drift of the last step.
 * Measured on a 128x64 Gaussian weight ({@code QLoraTest}): for NF4 the relative drift is about the relative size
 * of the update itself up to {@code ||ΔW||/||W|| = 1e-2} (1e-3 → 0.0011, 1e-2 → 0.0107, 1e-1 → 0.076), i.e. an
 * update smaller than the code steps is largely rounded away by the merge; int8 saturates at its rounding
 * noise (about 0.006). Keep QLoRA adapters unmerged for inference when that matters.
 * Merging an adapter whose update is zero leaves Q as it was (NF4 without double quantisation exactly; int8 and
 * NF4+DQ up to float rounding of the block constants). Any other adapter merged into a quantised base is
 * re-quantised the same way.
 *
 * <p><b>LoftQ and reloading.</b> With {@code init="loftq"} the stored Q is LoftQ's, not {@code quant(W)}. As in
 * PEFT, save the base model after injection (its weights are {@code dequant(Q)}) and load the adapter onto that
 * base: quantising {@code dequant(Q)} again gives Q back (exactly for NF4 without double quantisation).
 */
public final class QLoraLayer extends LoraLayer {
    private final Quantization quantization;
    private final QuantizedBase quantized;
    private QuantizedMerge.Result lastMerge;

    private QLoraLayer(LayerSpec spec, Quantization quantization, QuantizedWeight loftqBase) {
        super(spec);
        this.quantization = quantization;
        int[] shape = {(int) base.outFeatures(), (int) base.inFeatures()};
        // after super(): an init that rewrites W (PiSSA, OLoRA) is quantised as the residual it leaves
        QuantizedWeight q = loftqBase != null ? loftqBase
                : quantization.quantize(flatten(base.weightMatrix()), shape, blockSize(spec.config()));
        this.quantized = QuantizedBase.attach(base, q);
    }

    /** Quantises the base of {@code spec} (or runs LoftQ for {@code init="loftq"}) and puts LoRA on top. */
    public static QLoraLayer create(LayerSpec spec) {
        AdapterConfig c = spec.config();
        Quantization q = Quantization.parse(c.options().get(QLoraVariant.QUANTIZATION));
        if (!"loftq".equals(spec.init().family())) {
            return new QLoraLayer(spec, q, null);
        }
        LoftQConfig lc = LoftQSettings.from(c, q.options(blockSize(c)));
        checkBits(lc, q);
        LoftQResult res = LoftQInitializer.run(spec.base(), spec.r(), spec.scaling(), lc);
        LayerSpec noInit = new LayerSpec(spec.path(), spec.adapterName(), c.toBuilder().init(false).build(),
                spec.base(), spec.r(), spec.alpha(), spec.random());
        QLoraLayer layer = new QLoraLayer(noInit, q, res.base());
        layer.loraA().getArray().set(res.loraA());
        layer.loraB().getArray().set(res.loraB());
        return layer;
    }

    static void checkBits(LoftQConfig lc, Quantization q) {
        if (q.isFp4()) {
            throw new IllegalArgumentException("LoftQ quantises with NF4, as PEFT does; use quantization nf4 or nf4-dq "
                    + "with init loftq (or int8 with loftq_bits 8), not " + q.key());
        }
        if (lc.bits() != q.bits()) {
            throw new IllegalArgumentException("loftq_bits " + lc.bits() + " does not match quantization '" + q.key()
                    + "' (use loftq_bits " + q.bits() + ", or quantization " + (lc.bits() == 8 ? "int8" : "nf4") + ")");
        }
    }

    static int blockSize(AdapterConfig c) {
        return (int) c.optionLong(QLoraVariant.BLOCK_SIZE, QLoraVariant.DEFAULT_BLOCK_SIZE);
    }

    /** The storage format in use. */
    public Quantization quantization() {
        return quantization;
    }

    /** The quantised base weight as stored now (changes on merge/unmerge; shared by the layer's QLoRA adapters). */
    public QuantizedWeight storage() {
        return quantized.weight();
    }

    /** Stored bytes of the base weight against fp32, with the breakdown. */
    public MemoryReport memoryReport() {
        return storage().memoryReport();
    }

    /**
     * Bytes the base weight holds in memory now against fp32: the quantised storage (the code tables counted
     * per weight, as stored) plus what the released weight Parameter keeps (one fp32 element). No dense copy
     * stays between forwards; the transient one of a forward is not counted.
     */
    public MemoryReport residentMemory() {
        MemoryReport stored = memoryReport();
        Map<String, Long> parts = new LinkedHashMap<>(stored.parts());
        parts.put("weight parameter", base.residentWeightBytes() - quantized.residentBytes());
        return new MemoryReport(stored.format(), stored.numel(), parts);
    }

    /** The drift of the last merge or unmerge ({@code ||dequant(Q') - target||_F}), or null before any. */
    public QuantizedMerge.Result lastMerge() {
        return lastMerge;
    }

    @Override
    public String variant() {
        return "qlora";
    }

    @Override
    public void merge() {
        requantize(1);
    }

    @Override
    public void unmerge() {
        requantize(-1);
    }

    private void requantize(int sign) {
        try (NDScope scope = new NDScope()) {
            float[] delta = deltaWeight(ParamSource.DIRECT).toFloatArray();
            QuantizedWeight current = quantized.weight();
            lastMerge = sign > 0 ? QuantizedMerge.add(current, delta) : QuantizedMerge.subtract(current, delta);
            quantized.set(lastMerge.merged());
            if (loraBBias() != null) {
                NDArray bb = loraBBias().getArray().mul(scaling * sign);
                base.bias().getArray().addi(bb);
            }
        }
    }

    /** Frees A/B; the last QLoRA adapter of the layer puts dense {@code dequant(Q)} back into the base Parameter. */
    @Override
    public void close() {
        super.close();
        quantized.detach(base);
    }

    private static float[] flatten(float[][] w) {
        int cols = w.length == 0 ? 0 : w[0].length;
        float[] flat = new float[w.length * cols];
        for (int i = 0; i < w.length; i++) {
            System.arraycopy(w[i], 0, flat, i * cols, cols);
        }
        return flat;
    }
}
