package org.loralab.lora.inject;

import ai.djl.Model;
import ai.djl.nn.Block;
import java.util.Objects;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.train.GradMode;

/** Entry point behind {@link AdaptedModel#inject}. */
final class Injector {
    private Injector() {}

    static AdaptedModel inject(Model model, Block root, AdapterConfig config, String name) {
        Objects.requireNonNull(config, "config");
        AdaptedModelImpl m = wrap(model, root);
        try {
            m.addAdapter(name, config, false);
            GradMode.off(() -> m.setActive(name));
        } catch (RuntimeException e) {
            // a failed injection leaves the tree as it was: no wrapper, no stray parameter, trainability restored
            try {
                m.unload();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        return m;
    }

    static AdaptedModelImpl wrap(Model model, Block root) {
        Block r = model != null ? model.getBlock() : root;
        if (r == null) {
            throw new IllegalArgumentException("the model has no block; build or load it before injecting adapters");
        }
        if (BlockPaths.walk(r).stream().anyMatch(n -> n.holder() instanceof Wrapper)) {
            throw new IllegalArgumentException("this block tree already carries adapters; use the AdaptedModel you got "
                    + "from the first inject (addAdapter for more adapters)");
        }
        return new AdaptedModelImpl(model, r);
    }
}
