package org.loralab.lora.hf;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

import org.loralab.lora.io.safetensors.Safetensors;
import org.loralab.lora.io.safetensors.TensorSource;

/**
 * Loads a Hugging Face model directory ({@code config.json} + {@code model.safetensors} or a sharded index): reads
 * the config, picks the {@link ModelFamily} by {@code architectures} / {@code model_type}, opens the checkpoint and
 * lets the family build and load the model.
 */
public final class HfModels {
    private static final String HUB_CLASS = "org.loralab.lora.hf.hub.Hub";

    private HfModels() {}

    /** Loads the model in {@code dir} with {@code options}. */
    public static HfModel load(Path dir, LoadOptions options) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + " is not a directory; point at a Hugging Face model directory"
                    + " (config.json + model.safetensors)");
        }
        Path configFile = dir.resolve("config.json");
        if (!Files.isRegularFile(configFile)) {
            throw new IllegalArgumentException(dir + " has no config.json; a Hugging Face model directory holds"
                    + " config.json next to model.safetensors");
        }
        HfConfig config = HfConfig.read(configFile);
        ModelFamily family = familyFor(config);
        try (TensorSource weights = Safetensors.openCheckpoint(dir)) {
            return family.load(config, weights, options);
        }
    }

    /** A local directory, else a Hub id ("org/name", resolved through the Hub cache / downloader). */
    public static HfModel load(String dirOrHubId) {
        Path dir = null;
        try {
            dir = Path.of(dirOrHubId);
        } catch (InvalidPathException notAPath) {
            // a Hub id cannot be an invalid path on this system; treated as one below
        }
        if (dir != null && Files.isDirectory(dir)) {
            return load(dir, LoadOptions.defaults());
        }
        return load(hubSnapshot(dirOrHubId), LoadOptions.defaults());
    }

    /** The families on the class path (ServiceLoader), in discovery order. */
    public static List<ModelFamily> families() {
        List<ModelFamily> out = new ArrayList<>();
        for (ModelFamily f : ServiceLoader.load(ModelFamily.class, HfModels.class.getClassLoader())) {
            out.add(f);
        }
        return out;
    }

    /** The family that builds {@code config}'s model; one line listing the supported architectures otherwise. */
    public static ModelFamily familyFor(HfConfig config) {
        List<ModelFamily> all = families();
        for (ModelFamily f : all) {
            if (f.supports(config)) {
                return f;
            }
        }
        List<String> supported = new ArrayList<>();
        for (ModelFamily f : all) {
            supported.addAll(f.architectures());
        }
        String what = config.architectures().isEmpty() ? "model_type \"" + config.modelType() + "\""
                : "architectures " + config.architectures() + " (model_type \"" + config.modelType() + "\")";
        throw new IllegalArgumentException(config.file() + ": " + what + " is not supported; supported"
                + " architectures: " + String.join(", ", supported));
    }

    private static Path hubSnapshot(String repoId) {
        Class<?> hub;
        try {
            hub = Class.forName(HUB_CLASS, true, HfModels.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException(repoId + " is not a local directory and this build has no Hub client"
                    + " (" + HUB_CLASS + "); pass the path of a downloaded model directory", e);
        }
        try {
            Method snapshot = hub.getMethod("snapshot", String.class, String.class);
            return (Path) snapshot.invoke(null, repoId, "main");
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("Hub snapshot of " + repoId + " failed: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(HUB_CLASS + " has no snapshot(String, String): " + e, e);
        }
    }
}
