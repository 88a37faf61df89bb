package org.loralab.lora.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.loralab.lora.config.AdapterConfig;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.variant.AdapterParam;

/**
 * PEFT adapter files: {@code adapter_config.json} (Gson; unknown keys ignored, missing defaulted)
 * and {@code adapter_model.safetensors} (PEFT tensor names, {@code base_model.model.<path>.<key>},
 * written with DJL's NDList SAFETENSORS encoding), both written atomically (temp file + rename).
 * Unlike PEFT's save_pretrained, the directory is used as given for every adapter name.
 */
public final class AdapterFiles {
    /** PEFT's config file name. */
    public static final String CONFIG = "adapter_config.json";
    /** PEFT's weights file name. */
    public static final String WEIGHTS = "adapter_model.safetensors";

    private AdapterFiles() {}

    /** Saves {@code adapterName} of {@code model} into {@code dir} (created if needed). */
    public static void save(AdaptedModel model, String adapterName, Path dir) {
        AdapterConfig cfg = model.savedConfig(adapterName);
        Map<String, AdapterParam> tensors = model.adapterTensors(adapterName);
        try {
            Files.createDirectories(dir);
            writeAtomically(dir.resolve(CONFIG), os -> os.write(AdapterConfigJson.toJson(cfg).getBytes(StandardCharsets.UTF_8)));
            try (NDManager tmp = NDManager.newBaseManager()) {
                NDList list = new NDList(tensors.size());
                for (Map.Entry<String, AdapterParam> e : tensors.entrySet()) {
                    NDArray a = e.getValue().parameter().getArray();
                    NDArray c = tmp.create(a.toByteBuffer(), a.getShape(), a.getDataType());
                    c.setName(e.getKey());
                    list.add(c);
                }
                writeAtomically(dir.resolve(WEIGHTS), os -> list.encode(os, NDList.Encoding.SAFETENSORS));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not save adapter '" + adapterName + "' to " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Loads a PEFT adapter directory into {@code model} as {@code adapterName}. Checks every tensor's
     * name and shape before touching the model; on any mismatch the adapter is removed again and an
     * IllegalArgumentException lists the problems.
     */
    public static void load(AdaptedModel model, Path dir, String adapterName) {
        Path cfgFile = dir.resolve(CONFIG);
        Path wFile = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(cfgFile) || !Files.isRegularFile(wFile)) {
            throw new IllegalArgumentException("no PEFT adapter in " + dir + ": expected " + CONFIG + " and " + WEIGHTS);
        }
        AdapterConfig cfg;
        try {
            cfg = AdapterConfigJson.fromJson(Files.readString(cfgFile, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + cfgFile + ": " + e.getMessage(), e);
        }
        try (NDManager tmp = NDManager.newBaseManager(); InputStream is = Files.newInputStream(wFile)) {
            NDList list;
            try {
                list = NDList.decode(tmp, is);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(wFile + " is not a readable safetensors file: " + e.getMessage(), e);
            }
            Map<String, NDArray> found = new LinkedHashMap<>();
            for (NDArray a : list) {
                found.put(a.getName(), a);
            }
            boolean first = model.adapterNames().isEmpty();
            model.addAdapterForLoading(adapterName, cfg);
            try {
                Map<String, AdapterParam> expected = model.adapterTensors(adapterName);
                check(expected, found, wFile);
                for (Map.Entry<String, AdapterParam> e : expected.entrySet()) {
                    copyInto(found.get(e.getKey()), e.getValue().parameter().getArray());
                }
            } catch (RuntimeException e) {
                model.deleteAdapter(adapterName);
                throw e;
            }
            if (first) {
                model.setActive(adapterName);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + wFile + ": " + e.getMessage(), e);
        }
    }

    private static void check(Map<String, AdapterParam> expected, Map<String, NDArray> found, Path file) {
        List<String> problems = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, AdapterParam> e : expected.entrySet()) {
            NDArray f = found.get(e.getKey());
            if (f == null) {
                missing.add(e.getKey());
                continue;
            }
            Shape want = e.getValue().parameter().getArray().getShape();
            if (!want.equals(f.getShape())) {
                problems.add("size mismatch for " + e.getKey() + ": expected " + want + ", found " + f.getShape());
            }
            if (!f.getDataType().isFloating()) {
                problems.add(e.getKey() + " has dtype " + f.getDataType() + ", expected a float type");
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (String k : found.keySet()) {
            if (!expected.containsKey(k)) {
                unexpected.add(k);
            }
        }
        if (!missing.isEmpty()) {
            problems.add("missing keys: " + missing);
        }
        if (!unexpected.isEmpty()) {
            problems.add("unexpected keys: " + unexpected);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("adapter file " + file + " does not fit this model (nothing was changed): "
                    + String.join("; ", problems));
        }
    }

    private static void copyInto(NDArray src, NDArray dst) {
        boolean grad = dst.hasGradient();
        NDArray s = src.getDataType() == dst.getDataType() ? src : src.toType(dst.getDataType(), false);
        if (grad) {
            dst.setRequiresGradient(false);
        }
        dst.set(s.toByteBuffer());
        if (grad) {
            dst.setRequiresGradient(true);
        }
    }

    /** Writes to a temp file in the same directory, then renames it over {@code target}. */
    static void writeAtomically(Path target, IoWriter writer) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            try (OutputStream os = Files.newOutputStream(tmp)) {
                writer.write(os);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A body that writes a file. */
    @FunctionalInterface
    interface IoWriter {
        void write(OutputStream os) throws IOException;
    }
}
