package org.loralab.lora.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.loralab.lora.io.safetensors.Names;
import org.loralab.lora.io.safetensors.TensorInfo;
import org.loralab.lora.io.safetensors.TensorSource;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.ParamRole;

/**
 * Copies an adapter file's tensors into the parameters a freshly added adapter expects. Names, shapes and dtypes are
 * checked from the header, then every tensor is read and checked for NaN, infinities and absurd magnitudes, and only
 * then is anything copied, so a bad file changes no parameter.
 */
final class AdapterWeights {
    /** Trained adapters hold nothing near this; a value beyond it is a corrupt or hostile file. */
    static final double MAX_MAGNITUDE = 1e30;
    private static final Set<String> FLOAT_DTYPES = Set.of("F16", "BF16", "F32", "F64");

    private AdapterWeights() {}

    static void load(Map<String, AdapterParam> expected, TensorSource src, Path file) {
        Map<String, String> fileKeys = match(expected, src.tensors(), file);
        List<NDArray> targets = new ArrayList<>();
        try (NDManager tmp = NDManager.newBaseManager()) {
            List<NDArray> values = new ArrayList<>();
            for (Map.Entry<String, String> e : fileKeys.entrySet()) {
                NDArray dst = expected.get(e.getKey()).parameter().getArray();
                DataType type = dst.getDataType() == DataType.FLOAT16 || dst.getDataType() == DataType.FLOAT64
                        ? dst.getDataType() : DataType.FLOAT32;
                NDArray v = src.read(e.getValue(), tmp, type);
                checkFinite(v, e.getValue(), file);
                values.add(v);
                targets.add(dst);
            }
            for (int i = 0; i < values.size(); i++) {
                copyInto(values.get(i), targets.get(i));
            }
        }
    }

    /** Expected key -> the file's key for it; throws with every mismatch when names, shapes or dtypes disagree. */
    private static Map<String, String> match(Map<String, AdapterParam> expected, Map<String, TensorInfo> found, Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, AdapterParam> e : expected.entrySet()) {
            String key = e.getKey();
            if (!found.containsKey(key) && e.getValue().role() == ParamRole.BASE_BIAS) {
                String other = PeftKeys.otherBiasSpelling(key);
                if (other != null && found.containsKey(other)) {
                    key = other;
                }
            }
            TensorInfo t = found.get(key);
            if (t == null) {
                missing.add(e.getKey());
                continue;
            }
            long[] want = e.getValue().parameter().getArray().getShape().getShape();
            if (!Arrays.equals(want, t.shape())) {
                problems.add("size mismatch for " + Names.clip(key) + ": expected " + new Shape(want) + ", found "
                        + new Shape(t.shape()));
            }
            if (!FLOAT_DTYPES.contains(t.dtype())) {
                problems.add(Names.clip(key) + " has dtype " + t.dtype() + ", expected F32, F16 or BF16");
            }
            out.put(e.getKey(), key);
        }
        Set<String> unexpected = new LinkedHashSet<>(found.keySet());
        unexpected.removeAll(out.values());
        if (!missing.isEmpty()) {
            problems.add("missing keys: " + list(missing));
        }
        if (!unexpected.isEmpty()) {
            problems.add("unexpected keys: " + list(new ArrayList<>(unexpected)));
        }
        if (!problems.isEmpty()) {
            String all = String.join("; ", problems.subList(0, Math.min(3, problems.size())))
                    + (problems.size() > 3 ? "; and " + (problems.size() - 3) + " more problems" : "");
            throw new IllegalArgumentException("adapter file " + file + " does not fit this model (nothing was changed): " + all);
        }
        return out;
    }

    /** At most three names, then how many more. */
    private static String list(List<String> keys) {
        List<String> shown = new ArrayList<>();
        for (String k : keys.subList(0, Math.min(3, keys.size()))) {
            shown.add(Names.clip(k));
        }
        return shown + (keys.size() > 3 ? " and " + (keys.size() - 3) + " more" : "");
    }

    private static void checkFinite(NDArray v, String key, Path file) {
        float[] f = (v.getDataType() == DataType.FLOAT32 ? v : v.toType(DataType.FLOAT32, false)).toFloatArray();
        for (int i = 0; i < f.length; i++) {
            if (!Float.isFinite(f[i]) || Math.abs(f[i]) > MAX_MAGNITUDE) {
                String what = Float.isNaN(f[i]) ? "NaN" : Float.isInfinite(f[i]) ? "an infinity" : "the absurd value " + f[i];
                throw new IllegalArgumentException(file + ": tensor " + Names.quote(key) + " holds " + what + " at element "
                        + i + "; a trained adapter has finite values (|x| <= 1e30): the file is corrupt");
            }
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
}
