package org.loralab.lora.variant.qlora;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.variant.LayerAdapter;
import org.loralab.lora.variant.LayerKind;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.SharedState;
import org.loralab.lora.variant.Variant;

/**
 * QLoRA: LoRA on Linear layers whose frozen base weight is stored quantised (spec §13). Options:
 * {@code "quantization"}: {@code nf4-dq} (default, the QLoRA paper's NF4 + double quantisation), {@code nf4},
 * {@code fp4}, {@code fp4-dq} (bitsandbytes' FP4 code) or {@code int8} (row-wise); {@code "quant_block_size"}: NF4 block size, default 64. With
 * {@code init("loftq")} and {@code "loftq_config"} the base and A/B come from LoftQ in the same storage format.
 *
 * <p>Why a variant and not a flag on "lora": the layer's merge/unmerge must re-quantise and its base must be
 * replaced at injection, which is per-layer behaviour the Variant SPI already gives a variant (createLayer,
 * merge, unmerge), while "lora" stays untouched. On disk it is a plain PEFT LoRA adapter ({@code peft_type
 * "LORA"}, the same tensors); the quantisation keys are extra keys in adapter_config.json, which PEFT ignores
 * (in PEFT the quantisation belongs to the base model's {@code BitsAndBytesConfig}).
 */
public final class QLoraVariant implements Variant {
    /** Option key of the storage format. */
    public static final String QUANTIZATION = "quantization";
    /** Option key of the NF4 block size. */
    public static final String BLOCK_SIZE = "quant_block_size";
    /** bitsandbytes' default NF4 block size. */
    public static final int DEFAULT_BLOCK_SIZE = 64;

    @Override
    public String name() {
        return "qlora";
    }

    @Override
    public java.util.Map<String, Object> optionDefaults() {
        return java.util.Map.ofEntries(java.util.Map.entry(QUANTIZATION, "nf4-dq"), java.util.Map.entry(BLOCK_SIZE, (long) DEFAULT_BLOCK_SIZE), java.util.Map.entry(LoftQSettings.KEY, "none"));
    }

    @Override
    public String peftType() {
        return "LORA";
    }

    @Override
    public Set<LayerKind> supportedKinds() {
        return EnumSet.of(LayerKind.LINEAR);
    }

    @Override
    public void validate(AdapterConfig config) {
        Quantization q = Quantization.parse(config.options().get(QUANTIZATION));
        q.options(QLoraLayer.blockSize(config));
        if ("loftq".equals(config.init().family())) {
            QLoraLayer.checkBits(LoftQSettings.from(config, q.options(QLoraLayer.blockSize(config))), q);
        }
    }

    @Override
    public LayerAdapter createLayer(LayerSpec spec, SharedState shared) {
        return QLoraLayer.create(spec);
    }

    @Override
    public void writeConfig(AdapterConfig config, Map<String, Object> json) {
        json.put(QUANTIZATION, Quantization.parse(config.options().get(QUANTIZATION)).key());
        json.put(BLOCK_SIZE, QLoraLayer.blockSize(config));
        Object loftq = config.options().get(LoftQSettings.KEY);
        if (loftq instanceof Map) {
            json.put(LoftQSettings.KEY, new LinkedHashMap<>((Map<?, ?>) loftq));
        }
    }

    @Override
    public void readConfig(Map<String, Object> json, AdapterConfig.Builder builder) {
        builder.option(QUANTIZATION, Quantization.parse(json.get(QUANTIZATION)).key());
        if (json.get(BLOCK_SIZE) instanceof Number) {
            builder.option(BLOCK_SIZE, ((Number) json.get(BLOCK_SIZE)).intValue());
        }
        if (json.get(LoftQSettings.KEY) instanceof Map && !((Map<?, ?>) json.get(LoftQSettings.KEY)).isEmpty()) {
            builder.option(LoftQSettings.KEY, json.get(LoftQSettings.KEY));
        }
    }

    @Override
    public boolean accepts(Map<String, Object> json) {
        return "LORA".equals(json.get("peft_type")) && json.containsKey(QUANTIZATION)
                && !Boolean.TRUE.equals(json.get("use_dora"));
    }
}
