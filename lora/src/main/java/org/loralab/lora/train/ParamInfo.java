package org.loralab.lora.train;

import ai.djl.nn.Parameter;
import org.loralab.lora.variant.ParamRole;

/**
 * A trainable parameter as the optimizer sees it.
 *
 * @param name PEFT's in-memory name for adapter tensors ("enc.query.lora_B.default.weight"), else the DJL name
 * @param role what it is (core's roles), for LoRA+ / LoRA-FA grouping
 * @param scaling the adapted layer's scaling (alpha/r or alpha/sqrt(r)) for adapter tensors, else NaN
 */
public record ParamInfo(String name, Parameter parameter, ParamRole role, double scaling) {}
