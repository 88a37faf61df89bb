package org.loralab.lora.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.loralab.lora.inject.TorchNames;
import org.loralab.lora.io.safetensors.TensorInfo;
import org.loralab.lora.io.safetensors.TensorSource;

/**
 * PyTorch state-dict names of a DJL block tree, and loading a checkpoint into it.
 *
 * <p>{@link #load} checks the whole checkpoint against the model first (every name, shape and dtype; one line naming
 * the file and the tensor on the first disagreement) and only then copies, one tensor at a time, so the weights are
 * never held twice. A failure while copying leaves a partly loaded block: callers close the model on any exception.
 */
public final class StateDicts {
    private static final Set<String> FLOAT_DTYPES = Set.of("F32", "F16", "BF16");
    private static final int LISTED = 3;

    private StateDicts() {}

    /** Parameter by state-dict name ("vit.encoder.layer.0.attention.attention.query.weight"), in tree order. */
    public static Map<String, Parameter> parameters(Block root) {
        return TorchNames.parameters(root);
    }

    /**
     * Loads {@code src} into the initialized block {@code root}.
     *
     * @param dtype   dtype the tensors are converted to (the parameters' dtype)
     * @param renames checkpoint-name prefix to model-name prefix, longest prefix first ({@code "" -> "vit."} adds a
     *                prefix to every name); empty for none
     * @param ignore  model-side names, or prefixes ending in ".", that may be missing from the checkpoint (they keep
     *                their initial values) or present in it without a parameter (skipped)
     */
    public static void load(Block root, TensorSource src, DataType dtype, Map<String, String> renames,
            Set<String> ignore) {
        Map<String, Parameter> params = parameters(root);
        for (Map.Entry<String, Parameter> p : params.entrySet()) {
            if (!p.getValue().isInitialized()) {
                throw new IllegalStateException("parameter " + p.getKey() + " has no array yet; initialize the"
                        + " block before loading a checkpoint into it");
            }
        }
        Map<String, String> plan = plan(params, src, renames, ignore);
        for (Map.Entry<String, String> e : plan.entrySet()) {
            NDArray target = params.get(e.getValue()).getArray();
            try (NDManager scratch = target.getManager().newSubManager()) {
                // BF16 is widened on read (exact) and narrowed here: readers convert to FLOAT32/FLOAT16/FLOAT64
                NDArray t = src.read(e.getKey(), scratch, dtype == DataType.BFLOAT16 ? DataType.FLOAT32 : dtype);
                if (t.getDataType() != target.getDataType()) {
                    t = t.toType(target.getDataType(), false);
                }
                t.copyTo(target);
            }
        }
    }

    /** Checkpoint name to parameter name for every tensor to copy, after checking names, shapes and dtypes. */
    static Map<String, String> plan(Map<String, Parameter> params, TensorSource src, Map<String, String> renames,
            Set<String> ignore) {
        List<Map.Entry<String, String>> byLength = new ArrayList<>(renames.entrySet());
        byLength.sort(Comparator.comparingInt((Map.Entry<String, String> e) -> e.getKey().length()).reversed());
        Map<String, String> plan = new LinkedHashMap<>();
        Map<String, String> claimedBy = new LinkedHashMap<>();
        List<String> unexpected = new ArrayList<>();
        for (TensorInfo info : src.tensors().values()) {
            String target = rename(info.name(), byLength);
            String earlier = claimedBy.put(target, info.name());
            if (earlier != null) {
                throw new IllegalArgumentException(src.file(info.name()) + ": tensors \"" + earlier + "\" and \""
                        + info.name() + "\" both map to parameter \"" + target + "\"; remove one");
            }
            Parameter p = params.get(target);
            if (p == null) {
                if (!ignored(target, ignore)) {
                    unexpected.add(info.name());
                }
                continue;
            }
            checkTensor(src, info, target, p.getArray().getShape());
            plan.put(info.name(), target);
        }
        if (!unexpected.isEmpty()) {
            String first = unexpected.get(0);
            throw new IllegalArgumentException(src.file(first) + ": unexpected tensor \"" + first
                    + "\" (the model built from config.json has no such parameter)" + more(unexpected)
                    + "; check that config.json belongs to these weights");
        }
        List<String> missing = new ArrayList<>();
        for (String name : params.keySet()) {
            if (!claimedBy.containsKey(name) && !ignored(name, ignore)) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(checkpointName(src) + ": missing tensor \"" + missing.get(0)
                    + "\" (the model built from config.json needs it)" + more(missing)
                    + "; check that config.json belongs to these weights");
        }
        return plan;
    }

    private static void checkTensor(TensorSource src, TensorInfo info, String target, Shape expected) {
        if (!FLOAT_DTYPES.contains(info.dtype())) {
            throw new IllegalArgumentException(src.file(info.name()) + ": tensor \"" + info.name() + "\" has dtype "
                    + info.dtype() + "; weights must be F32, F16 or BF16");
        }
        if (!Arrays.equals(info.shape(), expected.getShape())) {
            throw new IllegalArgumentException(src.file(info.name()) + ": tensor \"" + info.name() + "\" has shape "
                    + Arrays.toString(info.shape()) + " but the model built from config.json expects "
                    + Arrays.toString(expected.getShape()) + " for " + target
                    + "; check that config.json belongs to these weights");
        }
    }

    private static String rename(String name, List<Map.Entry<String, String>> byLength) {
        for (Map.Entry<String, String> r : byLength) {
            if (name.startsWith(r.getKey())) {
                return r.getValue() + name.substring(r.getKey().length());
            }
        }
        return name;
    }

    static boolean ignored(String name, Set<String> ignore) {
        if (ignore.contains(name)) {
            return true;
        }
        for (String i : ignore) {
            if (i.endsWith(".") && name.startsWith(i)) {
                return true;
            }
        }
        return false;
    }

    private static String more(List<String> names) {
        if (names.size() == 1) {
            return "";
        }
        List<String> shown = names.subList(1, Math.min(names.size(), 1 + LISTED));
        String rest = names.size() > 1 + LISTED ? ", ..." : "";
        return " and " + (names.size() - 1) + " more (" + String.join(", ", shown) + rest + ")";
    }

    private static String checkpointName(TensorSource src) {
        for (String name : src.tensors().keySet()) {
            Path f = src.file(name);
            return String.valueOf(f.getParent() == null ? f : f.getParent());
        }
        return "the checkpoint (no tensors)";
    }
}
