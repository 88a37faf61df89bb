package org.loralab.lora.hf.vit;

/** One class of a prediction: its index, label (id2label) and softmax probability. */
public record Prediction(int index, String label, double probability) {
    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%s (%d): %.4f", label, index, probability);
    }
}
