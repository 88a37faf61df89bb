package org.loralab.lora.inject;

import java.util.ArrayList;
import java.util.List;

/** Model-wide switches every wrapper reads: which adapters are active, and whether adapters are on. */
final class AdapterState {
    final List<String> active = new ArrayList<>();
    boolean enabled = true;
}
