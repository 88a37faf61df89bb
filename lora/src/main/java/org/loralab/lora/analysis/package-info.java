/**
 * What an adapter learned: singular-value spectra of W, ΔW and W + ΔW with energy fractions and effective rank
 * ({@link org.loralab.lora.analysis.Spectrum}: Roy and Vetterli's entropy-based rank), the LoRA paper's §7
 * subspace similarity ({@link org.loralab.lora.analysis.SubspaceSimilarity}) and amplification factor
 * ({@link org.loralab.lora.analysis.AmplificationFactor}), on plain matrices or on an adapted model
 * ({@link org.loralab.lora.analysis.ModelAnalysis}); results as Tablesaw tables.
 */
package org.loralab.lora.analysis;
