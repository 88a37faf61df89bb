package org.loralab.lora.variant.vera;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.BaseLayer;
import org.loralab.lora.variant.ParamRole;
import org.loralab.lora.variant.SharedState;

/**
 * VeRA's shared, frozen random projections of one adapter (spec §9.1-9.2): {@code vera_A [r, in_max]} and
 * {@code vera_B [out_max, r]}, with in_max / out_max the maxima over all targeted layers. Drawn from a
 * {@link Random} seeded with {@code projection_prng_key}: first vera_A ~ U(±√(6/in_max)), then vera_B ~
 * U(±√(6/r)) (kaiming-uniform, a = 0). The same key always gives the same projections in Java; they cannot equal
 * torch's draws, so keep {@code save_projection=true} (the default) to make files portable. Layers use prefix
 * slices {@code vera_A[:, :in]} and {@code vera_B[:out, :]}.
 */
public final class VeraProjections implements SharedState {
    /** File names (PEFT, adapter name removed). */
    public static final String KEY_A = "base_model.vera_A";
    public static final String KEY_B = "base_model.vera_B";

    private final Parameter veraA;
    private final Parameter veraB;
    private final boolean saved;

    private VeraProjections(Parameter veraA, Parameter veraB, boolean saved) {
        this.veraA = veraA;
        this.veraB = veraB;
        this.saved = saved;
    }

    /** Sizes the projections from {@code targets} and draws them from {@code key}. */
    public static VeraProjections create(Map<String, BaseLayer> targets, int r, long key, boolean saveProjection,
            NDManager manager) {
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("VeRA needs at least one targeted Linear layer");
        }
        long inMax = 0;
        long outMax = 0;
        for (BaseLayer b : targets.values()) {
            inMax = Math.max(inMax, b.inFeatures());
            outMax = Math.max(outMax, b.outFeatures());
        }
        Random rnd = new Random(key);
        NDArray a = uniform(manager, new Shape(r, inMax), Math.sqrt(6.0 / inMax), rnd);
        NDArray b = uniform(manager, new Shape(outMax, r), Math.sqrt(6.0 / r), rnd);
        return new VeraProjections(frozen("vera_A", a), frozen("vera_B", b), saveProjection);
    }

    private static NDArray uniform(NDManager manager, Shape shape, double bound, Random rnd) {
        float[] v = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
        return manager.create(v, shape).toType(DataType.FLOAT32, false);
    }

    private static Parameter frozen(String name, NDArray value) {
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.OTHER).optRequiresGrad(false).build();
        p.setArray(value);
        return p;
    }

    /** vera_A [r, in_max]. */
    public Parameter veraA() {
        return veraA;
    }

    /** vera_B [out_max, r]. */
    public Parameter veraB() {
        return veraB;
    }

    public long inMax() {
        return veraA.getArray().getShape().get(1);
    }

    public long outMax() {
        return veraB.getArray().getShape().get(0);
    }

    public int rank() {
        return Math.toIntExact(veraA.getArray().getShape().get(0));
    }

    /** Saved only with {@code save_projection=true}, as in PEFT. */
    @Override
    public List<AdapterParam> sharedParameters() {
        if (!saved) {
            return List.of();
        }
        return List.of(new AdapterParam(KEY_A, veraA, ParamRole.OTHER, false),
                new AdapterParam(KEY_B, veraB, ParamRole.OTHER, false));
    }

    /** Replaces the projections with loaded values (same shapes), e.g. from a file written by PEFT. */
    public void load(NDArray a, NDArray b) {
        if (!a.getShape().equals(veraA.getArray().getShape()) || !b.getShape().equals(veraB.getArray().getShape())) {
            throw new IllegalArgumentException("vera_A/vera_B have shapes " + a.getShape() + "/" + b.getShape()
                    + " but this model needs " + veraA.getArray().getShape() + "/" + veraB.getArray().getShape());
        }
        veraA.getArray().set(a.toFloatArray());
        veraB.getArray().set(b.toFloatArray());
    }

    @Override
    public void close() {
        veraA.close();
        veraB.close();
    }
}
