package org.loralab.lora.hf.tokenizer;

/** Which side of a row padding goes (transformers' padding_side). Causal-LM generation pads left, training right. */
public enum Padding {
    LEFT,
    RIGHT
}
