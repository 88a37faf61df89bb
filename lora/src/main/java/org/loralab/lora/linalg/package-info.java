/**
 * Dense linear algebra on EJML ({@code ejml-ddense}), in double precision: {@link org.loralab.lora.linalg.Svd}
 * (thin/full SVD, descending), {@link org.loralab.lora.linalg.Qr} (Householder QR with LAPACK's signs),
 * {@link org.loralab.lora.linalg.RandomizedSvd} ({@code torch.svd_lowrank}, Halko et al. 4.4 + 5.1) and
 * {@link org.loralab.lora.linalg.Matrices} (NDArray / float[][] / DMatrixRMaj conversions). No decomposition is
 * hand-rolled.
 */
package org.loralab.lora.linalg;
