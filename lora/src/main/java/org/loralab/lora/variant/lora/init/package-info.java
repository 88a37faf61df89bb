/**
 * LoRA initialisers that move part of W into the adapter and write the residual into the base weight: PiSSA
 * ({@code "pissa"}, {@code "pissa_niter_K"}) and OLoRA ({@code "olora"}), registered through
 * {@code META-INF/services/org.loralab.lora.variant.lora.LoraInitializer}; and the conversion of such an adapter
 * into a plain rank-2r LoRA for the original weights ({@link org.loralab.lora.variant.lora.init.InitialAdapter}).
 */
package org.loralab.lora.variant.lora.init;
