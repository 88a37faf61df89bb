/**
 * Small model zoo with Hugging Face module names, so that PEFT-style {@code target_modules} and adapter
 * file keys work unchanged: {@link org.loralab.lora.models.Mlp} and
 * {@link org.loralab.lora.models.VitForImageClassification} (built by {@link org.loralab.lora.models.Vit}).
 *
 * <p>Every child is registered with {@code addChildBlock(hfName, block)}. DJL prefixes the child key with a
 * two-digit position ({@code "01query"}); stripping that prefix and joining with dots gives the HF path, e.g.
 * {@code vit.encoder.layer.3.attention.attention.query}.
 */
package org.loralab.lora.models;
