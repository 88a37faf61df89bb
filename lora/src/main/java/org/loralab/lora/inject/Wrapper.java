package org.loralab.lora.inject;

import ai.djl.nn.Block;

/** A block this library put into the tree around a user block; paths see through it. */
interface Wrapper {
    /** The user block it stands for. */
    Block wrapped();
}
