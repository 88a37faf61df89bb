package org.loralab.lora.variant.family;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.loralab.lora.inject.AdaptedModel;
import org.loralab.lora.io.AdapterFiles;
import org.loralab.lora.train.Fit;
import org.loralab.lora.train.FitOptions;
import org.loralab.lora.train.OptimizerKind;
import org.loralab.lora.train.TensorData;
import org.loralab.lora.train.TrainingReport;

/** Shared test helpers for the training-time variants (AdaLoRA, DyLoRA, SoRA) on PEFT's toy MLP. */
public final class FamilyKit {
    private FamilyKit() {}

    /** 36 examples of the MLP's 10 features, two classes, seeded. */
    public static TensorData data(NDManager m, long seed) {
        Random rnd = new Random(seed);
        int n = 36;
        float[] x = new float[n * 10];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            for (int j = 0; j < 10; j++) {
                x[i * 10 + j] = (float) (rnd.nextGaussian() + (j < 5 == (y[i] == 0) ? 1.0 : -1.0));
            }
        }
        return new TensorData(m.create(x, new Shape(n, 10)), m.create(y));
    }

    /** {@code steps} optimizer steps through the project's fit loop (which calls the variant hooks). */
    public static TrainingReport train(AdaptedModel am, NDManager m, long steps, OptimizerKind kind, double lr) {
        return Fit.fit(am, data(m, 3), null, FitOptions.defaults().steps(steps).batchSize(12).optimizer(kind).lr(lr)
                .nonFiniteGuard(false));
    }

    /** The direct parameters of the given base blocks (take them before injection replaces the blocks). */
    public static Map<String, Parameter> baseParams(Block... blocks) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (int i = 0; i < blocks.length; i++) {
            for (Pair<String, Parameter> p : blocks[i].getDirectParameters()) {
                out.put(i + "." + p.getKey(), p.getValue());
            }
        }
        return out;
    }

    /** Current values of {@code params}. */
    public static Map<String, float[]> values(Map<String, Parameter> params) {
        Map<String, float[]> out = new LinkedHashMap<>();
        params.forEach((k, p) -> out.put(k, p.getArray().toFloatArray()));
        return out;
    }

    /** The tensors of a saved adapter_model.safetensors: name → shape. */
    public static Map<String, Shape> savedShapes(Path dir) throws IOException {
        Map<String, Shape> out = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager(); InputStream is = Files.newInputStream(dir.resolve(AdapterFiles.WEIGHTS))) {
            for (NDArray a : NDList.decode(m, is)) {
                out.put(a.getName(), a.getShape());
            }
        }
        return out;
    }
}
