package org.loralab.lora.variant.qlora;

import java.util.Locale;
import org.loralab.lora.quant.Fp4;
import org.loralab.lora.quant.Int8RowwiseWeight;
import org.loralab.lora.quant.Nf4;
import org.loralab.lora.quant.Nf4Weight;
import org.loralab.lora.quant.QuantOptions;
import org.loralab.lora.quant.QuantizedWeight;

/**
 * How QLoRA stores the frozen base weight (config option {@code "quantization"}): NF4 in blocks, NF4 with
 * double-quantised block constants, bitsandbytes' FP4 code (with or without double quantisation), or int8
 * row-wise (the 8-bit option, bitsandbytes {@code Int8Params}).
 */
public enum Quantization {
    /** NF4, fp32 absmax per block (transformers' {@code bnb_4bit_use_double_quant=False}). */
    NF4("nf4"),
    /** NF4 with the absmax values 8-bit quantised in blocks of 256 (the QLoRA paper's recipe; the default). */
    NF4_DQ("nf4-dq"),
    /** bitsandbytes' FP4 (1 sign, 2 exponent, 1 mantissa bit), fp32 absmax per block ({@code bnb_4bit_quant_type="fp4"}). */
    FP4("fp4"),
    /** FP4 with double-quantised block constants. */
    FP4_DQ("fp4-dq"),
    /** Int8 row-wise absmax ({@code load_in_8bit} without outlier decomposition). */
    INT8("int8");

    private final String key;

    Quantization(String key) {
        this.key = key;
    }

    /** The config spelling: "nf4", "nf4-dq", "fp4", "fp4-dq", "int8". */
    public String key() {
        return key;
    }

    /** The LoftQ bit width that quantises the same way (4 for NF4, 8 for int8). */
    public int bits() {
        return this == INT8 ? 8 : 4;
    }

    /** Parses the config spelling (case-insensitive; "nf4+dq" accepted too). */
    public static Quantization parse(Object value) {
        if (value == null) {
            return NF4_DQ;
        }
        String s = value.toString().trim().toLowerCase(Locale.ROOT).replace('+', '-').replace('_', '-');
        for (Quantization q : values()) {
            if (q.key.equals(s)) {
                return q;
            }
        }
        throw new IllegalArgumentException("quantization must be nf4, nf4-dq, fp4, fp4-dq or int8, got '" + value + "'");
    }

    /** The NF4 options for a block size (ignored by int8). */
    public QuantOptions options(int blockSize) {
        QuantOptions o = QuantOptions.qlora().withBlockSize(blockSize);
        return this == NF4_DQ || this == FP4_DQ ? o : o.withoutDoubleQuant();
    }

    /** Quantises a row-major weight of {@code shape}. */
    public QuantizedWeight quantize(float[] values, int[] shape, int blockSize) {
        return this == INT8 ? Int8RowwiseWeight.quantize(values, shape)
                : Nf4Weight.quantize(values, shape, options(blockSize), isFp4() ? Fp4.CODE : Nf4.CODE);
    }

    /** Whether the 4-bit code is FP4 rather than NF4. */
    public boolean isFp4() {
        return this == FP4 || this == FP4_DQ;
    }
}
