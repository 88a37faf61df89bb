package org.loralab.lora.variant.adalora;

import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.variant.SharedState;

/** Entry points for AdaLoRA users: a config builder and the allocator of an injected adapter. */
public final class AdaLora {
    private AdaLora() {}

    /**
     * A config builder for AdaLoRA with PEFT's defaults and the required total_step set:
     * {@code AdaLora.config(1000).targetModules("query","value").option("target_r", 4).build()}.
     */
    public static AdapterConfig.Builder config(long totalStep) {
        return AdapterConfig.builder().variant("adalora").option(AdaLoraOptions.TOTAL_STEP, totalStep);
    }

    /** The rank allocator of adapter "default". */
    public static RankAllocator allocator(AdaptedModel model) {
        return allocator(model, AdaptedModel.DEFAULT);
    }

    /** The rank allocator of {@code adapterName}; fails if that adapter is not AdaLoRA. */
    public static RankAllocator allocator(AdaptedModel model, String adapterName) {
        SharedState st = model.sharedState(adapterName);
        if (!(st instanceof RankAllocator)) {
            throw new IllegalArgumentException("adapter '" + adapterName + "' is "
                    + model.config(adapterName).variant() + ", not adalora");
        }
        return (RankAllocator) st;
    }
}
