/**
 * Data for notebooks and tests: Fashion-MNIST ({@link org.loralab.lora.data.FashionMnist}: verified IDX loading from
 * an explicit folder, the repo subset, the Debian package or an opt-in download; DJL
 * {@link org.loralab.lora.data.FashionMnistDataset}), synthetic teaching tasks
 * ({@link org.loralab.lora.data.LowRankRegression}, {@link org.loralab.lora.data.ClassificationShift}) and
 * {@link org.loralab.lora.data.FastMode} ({@code LORALAB_FAST=1}).
 */
package org.loralab.lora.data;
