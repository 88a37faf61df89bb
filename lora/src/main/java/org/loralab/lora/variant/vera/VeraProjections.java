package org.loralab.lora.variant.vera;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.WeakHashMap;
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
 *
 * <p>As in PEFT, the VeRA adapters of one model share one pair of projections (same memory): a new adapter whose
 * targets include a layer that already has VeRA projections reuses them, after checking that it has the same
 * {@code projection_prng_key}, the same {@code save_projection}, the same r, and that its layers fit. The model is
 * recognised through its layers' weight parameters (weakly referenced), so adapters on disjoint layer sets of one
 * model get separate (identically drawn) projections.
 */
public final class VeraProjections implements SharedState {
    /** File names (PEFT, adapter name removed). */
    public static final String KEY_A = "base_model.vera_A";
    public static final String KEY_B = "base_model.vera_B";

    /** Projections in use, by the weight parameter of every layer that slices them. */
    private static final Map<Parameter, Store> BY_WEIGHT = new WeakHashMap<>();

    /** One pair of projections and how many adapters use it. */
    private static final class Store {
        final Parameter veraA;
        final Parameter veraB;
        final long key;
        final boolean saved;
        int users;

        Store(Parameter veraA, Parameter veraB, long key, boolean saved) {
            this.veraA = veraA;
            this.veraB = veraB;
            this.key = key;
            this.saved = saved;
        }
    }

    private final Store store;
    private boolean closed;

    private VeraProjections(Store store) {
        this.store = store;
    }

    /**
     * The projections for an adapter over {@code targets}: the model's existing ones when a target already has
     * some (after the consistency checks), otherwise new ones sized from the targets and drawn from {@code key}.
     */
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
        synchronized (BY_WEIGHT) {
            Store store = null;
            for (BaseLayer b : targets.values()) {
                store = BY_WEIGHT.get(b.weight());
                if (store != null) {
                    break;
                }
            }
            if (store != null) {
                checkCompatible(store, r, key, saveProjection, inMax, outMax);
            } else {
                Random rnd = new Random(key);
                NDArray a = uniform(manager, new Shape(r, inMax), Math.sqrt(6.0 / inMax), rnd);
                NDArray bArr = uniform(manager, new Shape(outMax, r), Math.sqrt(6.0 / r), rnd);
                store = new Store(frozen("vera_A", a), frozen("vera_B", bArr), key, saveProjection);
            }
            store.users++;
            for (BaseLayer b : targets.values()) {
                BY_WEIGHT.put(b.weight(), store);
            }
            return new VeraProjections(store);
        }
    }

    private static void checkCompatible(Store s, int r, long key, boolean save, long inMax, long outMax) {
        if (s.key != key) {
            throw new IllegalArgumentException("VeRA PRNG initialisation key must be the same for all adapters of a "
                    + "model: got projection_prng_key=" + key + " but the existing adapters use " + s.key);
        }
        if (s.saved != save) {
            throw new IllegalArgumentException("VeRA projection weights must be saved for all adapters or none: got "
                    + "save_projection=" + save + " but the existing adapters use " + s.saved);
        }
        long[] a = s.veraA.getArray().getShape().getShape();
        long[] b = s.veraB.getArray().getShape().getShape();
        if (a[0] != r) {
            throw new IllegalArgumentException("VeRA adapters of one model share projections of rank " + a[0]
                    + "; got r=" + r + ", use r=" + a[0]);
        }
        if (a[1] < inMax) {
            throw new IllegalArgumentException("vera_A has a size of " + a[1] + " but " + inMax
                    + " or greater is required; inject the adapter with the largest layers first");
        }
        if (b[0] < outMax) {
            throw new IllegalArgumentException("vera_B has a size of " + b[0] + " but " + outMax
                    + " or greater is required; inject the adapter with the largest layers first");
        }
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
        return store.veraA;
    }

    /** vera_B [out_max, r]. */
    public Parameter veraB() {
        return store.veraB;
    }

    public long inMax() {
        return store.veraA.getArray().getShape().get(1);
    }

    public long outMax() {
        return store.veraB.getArray().getShape().get(0);
    }

    public int rank() {
        return Math.toIntExact(store.veraA.getArray().getShape().get(0));
    }

    /** Whether two handles use the same arrays (adapters of one model). */
    public boolean sharesMemoryWith(VeraProjections other) {
        return store == other.store;
    }

    /** Saved only with {@code save_projection=true}, as in PEFT. */
    @Override
    public List<AdapterParam> sharedParameters() {
        if (!store.saved) {
            return List.of();
        }
        return List.of(new AdapterParam(KEY_A, store.veraA, ParamRole.OTHER, false),
                new AdapterParam(KEY_B, store.veraB, ParamRole.OTHER, false));
    }

    /** Replaces the projections with loaded values (same shapes), e.g. from a file written by PEFT. */
    public void load(NDArray a, NDArray b) {
        Parameter va = store.veraA;
        Parameter vb = store.veraB;
        if (!a.getShape().equals(va.getArray().getShape()) || !b.getShape().equals(vb.getArray().getShape())) {
            throw new IllegalArgumentException("vera_A/vera_B have shapes " + a.getShape() + "/" + b.getShape()
                    + " but this model needs " + va.getArray().getShape() + "/" + vb.getArray().getShape());
        }
        va.getArray().set(a.toFloatArray());
        vb.getArray().set(b.toFloatArray());
    }

    /** Releases this adapter's use; the arrays are closed when the last adapter of the model lets go. */
    @Override
    public void close() {
        synchronized (BY_WEIGHT) {
            if (closed) {
                return;
            }
            closed = true;
            if (--store.users == 0) {
                BY_WEIGHT.values().removeIf(s -> s == store);
                store.veraA.close();
                store.veraB.close();
            }
        }
    }
}
