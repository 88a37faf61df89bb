package org.loralab.lora.variant.vera;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import java.util.List;
import java.util.Random;
import org.loralab.lora.variant.AbstractLayerAdapter;
import org.loralab.lora.variant.AdapterInput;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.ParamRole;
import org.loralab.lora.variant.ParamSource;

/**
 * VeRA on one Linear layer (spec §9.3): {@code y = base(x) + λ_b ⊙ (B_l (λ_d ⊙ (A_l drop(x))))} with the shared
 * frozen slices {@code A_l = vera_A[:, :in]}, {@code B_l = vera_B[:out, :]} and the trainable vectors
 * {@code vera_lambda_b [out]}, {@code vera_lambda_d [r]}. {@code ΔW = (λ_b ⊙ B_l)(λ_d ⊙ A_l)}; VeRA has no alpha,
 * so the scaling is 1 (kept settable for PEFT's set_scale, which multiplies ΔW).
 */
public final class VeraLayer extends AbstractLayerAdapter {
    private final VeraProjections shared;
    private final float dropout;
    private final Parameter lambdaB;
    private final Parameter lambdaD;

    VeraLayer(LayerSpec spec, VeraProjections shared, VeraOptions options) {
        super(spec.base(), shared.rank(), spec.alpha(), 1.0);
        this.shared = shared;
        this.dropout = (float) options.dropout();
        if (base.inFeatures() > shared.inMax() || base.outFeatures() > shared.outMax()) {
            throw new IllegalArgumentException("vera_A/vera_B (" + shared.inMax() + " in, " + shared.outMax()
                    + " out) are too small for '" + spec.path() + "' (" + base.inFeatures() + " in, "
                    + base.outFeatures() + " out); projections must be sized from every targeted layer");
        }
        NDManager m = base.manager();
        int out = Math.toIntExact(base.outFeatures());
        float[] lb = new float[out];
        float[] ld = new float[r];
        if (options.initWeights()) {
            java.util.Arrays.fill(ld, (float) options.dInitial());
        } else {
            Random rnd = spec.random();
            java.util.Arrays.fill(lb, 1f);
            for (int i = 0; i < r; i++) {
                ld[i] = (float) rnd.nextGaussian();
            }
        }
        lambdaB = trainable("vera_lambda_b", m.create(lb, new Shape(out)));
        lambdaD = trainable("vera_lambda_d", m.create(ld, new Shape(r)));
    }

    private static Parameter trainable(String name, NDArray value) {
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.OTHER).build();
        p.setArray(value);
        value.setRequiresGradient(true);
        return p;
    }

    /** {@code vera_A[:, :in]}, [r, in]. */
    public NDArray sliceA(ParamSource ps) {
        return ps.value(shared.veraA()).get(new NDIndex(":, :{}", base.inFeatures()));
    }

    /** {@code vera_B[:out, :]}, [out, r]. */
    public NDArray sliceB(ParamSource ps) {
        return ps.value(shared.veraB()).get(new NDIndex(":{}, :", base.outFeatures()));
    }

    @Override
    public NDArray forward(AdapterInput in) {
        ParamSource ps = in.params();
        NDArray x = dropout > 0 ? Dropout.dropout(in.x(), dropout, in.training()).head() : in.x();
        NDArray h = Linear.linear(x, sliceA(ps)).head().mul(ps.value(lambdaD));
        NDArray y = Linear.linear(h, sliceB(ps)).head().mul(ps.value(lambdaB));
        return scaling == 1.0 ? y : y.mul(scaling);
    }

    @Override
    public NDArray deltaWeight(ParamSource ps) {
        NDArray b = sliceB(ps).mul(ps.value(lambdaB).expandDims(1));
        NDArray a = sliceA(ps).mul(ps.value(lambdaD).expandDims(1));
        NDArray d = b.matMul(a);
        return scaling == 1.0 ? d : d.mul(scaling);
    }

    @Override
    public boolean weightPathExact() {
        return dropout == 0;
    }

    @Override
    public String variant() {
        return "vera";
    }

    /** The shared projections this layer slices. */
    public VeraProjections projections() {
        return shared;
    }

    public Parameter lambdaB() {
        return lambdaB;
    }

    public Parameter lambdaD() {
        return lambdaD;
    }

    /** vera_lambda_b, vera_lambda_d (the shared projections are model-level, see {@link VeraProjections}). */
    @Override
    public List<AdapterParam> parameters() {
        return List.of(new AdapterParam("vera_lambda_b", lambdaB, ParamRole.VECTOR, true),
                new AdapterParam("vera_lambda_d", lambdaD, ParamRole.VECTOR, true));
    }

    @Override
    public void close() {
        lambdaB.close();
        lambdaD.close();
    }
}
