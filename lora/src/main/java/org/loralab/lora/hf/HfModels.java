package org.loralab.lora.hf;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

import org.loralab.lora.hf.hub.Hub;
import org.loralab.lora.io.safetensors.Safetensors;
import org.loralab.lora.io.safetensors.TensorSource;

/**
 * Loads a Hugging Face model directory ({@code config.json} + {@code model.safetensors} or a sharded index): reads
 * the config, picks the {@link ModelFamily} by {@code architectures} / {@code model_type}, opens the checkpoint and
 * lets the family build and load the model.
 */
public final class HfModels {
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

    /** A local directory, else a Hub id ("org/name" or "org/name@revision", resolved through the Hub cache). */
    public static HfModel load(String dirOrHubId) {
        return load(dirOrHubId, LoadOptions.defaults());
    }

    /** As {@link #load(String)} with {@code options}. */
    public static HfModel load(String dirOrHubId, LoadOptions options) {
        return load(resolve(dirOrHubId), options);
    }

    /** The local directory {@code dirOrHubId} names, or the Hub snapshot directory of that repository id. */
    public static Path resolve(String dirOrHubId) {
        Path dir = null;
        try {
            dir = Path.of(dirOrHubId);
        } catch (InvalidPathException notAPath) {
            // a Hub id cannot be an invalid path on this system; treated as one below
        }
        if (dir != null && (Files.isDirectory(dir) || !looksLikeHubId(dirOrHubId))) {
            return dir; // a path that is not a directory is refused by load(Path) in one line
        }
        return Hub.snapshot(dirOrHubId);
    }

    /** "org/name" or "org/name@revision": one slash, not a path that starts at the root, home or current folder. */
    static boolean looksLikeHubId(String s) {
        String id = s.contains("@") ? s.substring(0, s.indexOf('@')) : s;
        return !id.startsWith("/") && !id.startsWith(".") && !id.startsWith("~") && id.indexOf('/') == id.lastIndexOf('/');
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
}
