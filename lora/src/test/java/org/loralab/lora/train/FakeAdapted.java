package org.loralab.lora.train;

import ai.djl.Model;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.variant.TrainingHooks;

/** A minimal AdaptedModel over a plain model, for train tests that must not depend on the injector. */
final class FakeAdapted {
    private FakeAdapted() {}

    static AdaptedModel of(Model model, TrainingHooks hooks) {
        return (AdaptedModel) Proxy.newProxyInstance(AdaptedModel.class.getClassLoader(),
                new Class<?>[] {AdaptedModel.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "block": return model.getBlock();
                        case "model": return model;
                        case "trainableParameterMap": return Map.of();
                        case "layers": return List.of();
                        case "hooks": return hooks;
                        case "isMerged": return false;
                        case "toString": return "FakeAdapted";
                        case "hashCode": return System.identityHashCode(proxy);
                        case "equals": return proxy == args[0];
                        default: throw new UnsupportedOperationException(method.getName());
                    }
                });
    }
}
