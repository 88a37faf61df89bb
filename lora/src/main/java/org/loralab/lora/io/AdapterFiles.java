package org.loralab.lora.io;

import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.io.safetensors.Names;
import org.loralab.lora.io.safetensors.PickleAdvice;
import org.loralab.lora.io.safetensors.Safetensors;
import org.loralab.lora.io.safetensors.TensorSource;
import org.loralab.lora.variant.AdapterParam;

/**
 * PEFT adapter directories: {@code adapter_config.json} and {@code adapter_model.safetensors} with PEFT's tensor names
 * ({@code base_model.model.<path>.<key>}), the header carrying {@code __metadata__ {"format": "pt"}} as PEFT's
 * save_pretrained writes it. Saving is atomic for the pair; loading validates everything (paths, config keys, header,
 * names, shapes, finite values) before the model changes, and leaves the model as it was when anything is wrong.
 * Unlike PEFT's save_pretrained, the directory is used as given for every adapter name.
 */
public final class AdapterFiles {
    /** PEFT's config file name. */
    public static final String CONFIG = "adapter_config.json";
    /** PEFT's weights file name. */
    public static final String WEIGHTS = "adapter_model.safetensors";
    /** PEFT's pickle weights, refused. */
    public static final String PICKLE_WEIGHTS = "adapter_model.bin";
    /** adapter_config.json is a few KB; anything far larger is not one. */
    private static final long MAX_CONFIG_BYTES = 16L << 20;

    private AdapterFiles() {}

    /** Saves {@code adapterName} of {@code model} into {@code dir} (created if needed). */
    public static void save(AdaptedModel model, String adapterName, Path dir) {
        AdapterConfig cfg = model.savedConfig(adapterName);
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        for (Map.Entry<String, AdapterParam> e : model.adapterTensors(adapterName).entrySet()) {
            arrays.put(e.getKey(), e.getValue().parameter().getArray());
        }
        LinkedHashMap<Path, AtomicFiles.Body> files = new LinkedHashMap<>();
        files.put(dir.resolve(WEIGHTS), Safetensors.encoder(arrays, Map.of()));
        byte[] json = AdapterConfigJson.toJson(cfg).getBytes(StandardCharsets.UTF_8);
        files.put(dir.resolve(CONFIG), os -> os.write(json));
        List<Path> created = new ArrayList<>();
        try {
            createDirectories(dir, created);
            AtomicFiles.writeAll(files);
        } catch (IOException | RuntimeException e) {
            removeCreated(created);
            String reason = e instanceof IOException io ? IoErrors.reason(io) : Names.firstLine(String.valueOf(e.getMessage()));
            String msg = "could not save adapter '" + adapterName + "' to " + dir + ": " + reason;
            if (e instanceof IOException io) {
                throw new UncheckedIOException(msg, io);
            }
            throw new IllegalStateException(msg, e);
        }
    }

    /** Creates {@code dir} and its missing parents, recording each one created (outermost first). */
    private static void createDirectories(Path dir, List<Path> created) throws IOException {
        Path abs = dir.toAbsolutePath();
        List<Path> missing = new ArrayList<>();
        for (Path p = abs; p != null && !Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
            missing.add(0, p);
        }
        for (Path p : missing) {
            Files.createDirectory(p);
            created.add(p);
        }
        if (!Files.isDirectory(abs)) {
            throw new java.nio.file.FileAlreadyExistsException(abs.toString());
        }
    }

    private static void removeCreated(List<Path> created) {
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                Files.deleteIfExists(created.get(i));
            } catch (IOException ignored) {
                // not empty (someone else wrote there) or gone: leave it
            }
        }
    }

    /**
     * Loads a PEFT adapter directory into {@code model} as {@code adapterName}. Everything is checked before the
     * model changes; on any problem the model is left as it was and the exception's message is one line naming the
     * file (and the key or tensor).
     */
    public static void load(AdaptedModel model, Path dir, String adapterName) {
        Path cfgFile = dir.resolve(CONFIG);
        Path wFile = dir.resolve(WEIGHTS);
        AdapterPaths.checkDirectory(dir);
        AdapterPaths.checkFile(cfgFile, "no PEFT adapter in " + dir + ": " + CONFIG + " is missing");
        if (!Files.exists(wFile, java.nio.file.LinkOption.NOFOLLOW_LINKS) && Files.exists(dir.resolve(PICKLE_WEIGHTS))) {
            throw new IllegalArgumentException(dir.resolve(PICKLE_WEIGHTS) + ": refused: pickle can run code; "
                    + "convert to safetensors, e.g. " + PickleAdvice.convertCommand(PICKLE_WEIGHTS));
        }
        AdapterPaths.checkFile(wFile, "no PEFT adapter in " + dir + ": " + WEIGHTS + " is missing");
        AdapterConfig cfg = AdapterConfigJson.fromJson(readConfig(cfgFile), cfgFile.toString());
        try (TensorSource src = Safetensors.open(wFile)) {
            boolean first = model.adapterNames().isEmpty();
            try {
                model.addAdapterForLoading(adapterName, cfg);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(cfgFile + ": " + Names.firstLine(e.getMessage()), e);
            }
            try {
                AdapterWeights.load(model.adapterTensors(adapterName), src, wFile);
            } catch (RuntimeException e) {
                model.deleteAdapter(adapterName);
                throw e;
            }
            if (first) {
                model.setActive(adapterName);
            }
        }
    }

    private static String readConfig(Path cfgFile) {
        try {
            long size = Files.size(cfgFile);
            if (size > MAX_CONFIG_BYTES) {
                throw new IllegalArgumentException(cfgFile + ": " + size + " bytes is far too large for an adapter config");
            }
            byte[] raw = Files.readAllBytes(cfgFile);
            try {
                return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(raw)).toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new IllegalArgumentException(cfgFile + ": not UTF-8 text", e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + cfgFile + ": " + IoErrors.reason(e), e);
        }
    }
}
