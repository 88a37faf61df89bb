/**
 * VeRA (Kopiczko et al. 2024; PEFT {@code tuners/vera}): shared frozen random projections and per-layer trainable
 * scaling vectors. Registered as variant "vera" (peft_type "VERA") through
 * {@code META-INF/services/org.loralab.lora.variant.Variant}.
 */
package org.loralab.lora.variant.vera;
