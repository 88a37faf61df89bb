package org.loralab.lora.train;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import java.util.Random;

/** Small deterministic models and data for the train tests. */
final class Fixtures {
    private Fixtures() {}

    /** Three Gaussian blobs in 8-D, n examples, labels 0..2, from a java.util.Random(seed). */
    static TensorData blobs(NDManager m, int n, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[n * 8];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            y[i] = c;
            for (int j = 0; j < 8; j++) {
                x[i * 8 + j] = (float) (rnd.nextGaussian() * 0.5 + (j % 3 == c ? 2.0 : 0.0));
            }
        }
        return new TensorData(m.create(x, new Shape(n, 8)), m.create(y));
    }

    static Model mlp(String name) {
        Model model = Model.newInstance(name);
        SequentialBlock b = new SequentialBlock()
                .add(Linear.builder().setUnits(16).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(3).build());
        model.setBlock(b);
        b.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 8));
        return model;
    }

    static Model loraModel(String name, double scaling, float bInit) {
        Model model = Model.newInstance(name);
        TinyLoraLinear block = new TinyLoraLinear(8, 3, 2, scaling, bInit);
        model.setBlock(block);
        block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 8));
        return model;
    }

    static float[] params(Model model) {
        java.util.List<Float> all = new java.util.ArrayList<>();
        model.getBlock().getParameters().forEach(p -> {
            for (float f : p.getValue().getArray().toFloatArray()) {
                all.add(f);
            }
        });
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    /** TrainableParams.of(block) with the given scaling on every lora_B. */
    static java.util.List<ParamInfo> withScaling(Model model, double scaling) {
        return TrainableParams.of(model.getBlock()).stream()
                .map(p -> new ParamInfo(p.name(), p.parameter(), p.role(),
                        p.role() == org.loralab.lora.variant.ParamRole.LORA_B ? scaling : Double.NaN))
                .toList();
    }
}
