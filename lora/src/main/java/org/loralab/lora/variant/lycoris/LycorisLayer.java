package org.loralab.lora.variant.lycoris;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.loralab.lora.variant.AbstractLayerAdapter;
import org.loralab.lora.variant.AdapterInput;
import org.loralab.lora.variant.AdapterParam;
import org.loralab.lora.variant.LayerKind;
import org.loralab.lora.variant.LayerSpec;
import org.loralab.lora.variant.ParamRole;
import org.loralab.lora.variant.ParamSource;

/**
 * PEFT's {@code LycorisLayer} (tuners/lycoris_utils.py) for LoHa and LoKr: the adapter is a
 * weight-space update ΔW, and the forward pass is the base op run on ΔW
 * ({@code F.linear(x, ΔW)} / {@code conv(x, ΔW)} with the base stride, padding, dilation and groups,
 * no bias, no input dropout). In training, rank dropout masks whole output rows of ΔW and module
 * dropout skips the adapter for the batch (kept when {@code rand > module_dropout}).
 */
public abstract class LycorisLayer extends AbstractLayerAdapter {
    /** Option key: probability of dropping an output row of ΔW in training. */
    public static final String RANK_DROPOUT = "rank_dropout";
    /** Option key: probability of skipping the whole adapter for a training batch. */
    public static final String MODULE_DROPOUT = "module_dropout";
    /** Option key: use the Tucker-2 ("effective") form for conv kernels larger than 1. */
    public static final String USE_EFFECTIVE_CONV2D = "use_effective_conv2d";

    protected final LayerSpec spec;
    protected final LayerKind kind;
    private final double rankDropout;
    private final double moduleDropout;
    private final boolean rankDropoutRescale;
    private final Random dropRandom;
    private final List<AdapterParam> params = new ArrayList<>();

    /**
     * @param rankDropoutRescale whether the rank-dropout mask is divided by its mean (LoHa always,
     *     LoKr only with {@code rank_dropout_scale})
     */
    protected LycorisLayer(LayerSpec spec, boolean rankDropoutRescale) {
        super(spec.base(), spec.r(), spec.alpha(), spec.alpha() / spec.r());
        this.spec = spec;
        this.kind = base.kind();
        this.rankDropout = spec.config().optionDouble(RANK_DROPOUT, 0);
        this.moduleDropout = spec.config().optionDouble(MODULE_DROPOUT, 0);
        this.rankDropoutRescale = rankDropoutRescale;
        this.dropRandom = new Random(spec.random().nextLong());
    }

    /** Creates a zero tensor, registers it under its PEFT key and returns it. */
    protected final Parameter addParam(String key, Shape shape, ParamRole role) {
        Parameter p = ParamInit.zeros(key, base.manager(), shape);
        params.add(new AdapterParam(key, p, role, true));
        return p;
    }

    /** Marks every tensor as needing gradients (call at the end of the subclass constructor). */
    protected final void finishInit() {
        for (AdapterParam p : params) {
            p.parameter().getArray().setRequiresGradient(true);
        }
    }

    /** Whether the config asks for the effective (Tucker-2) conv form and this kernel is larger than 1. */
    protected final boolean effectiveConv() {
        if (!kind.isConv() || !spec.config().optionBoolean(USE_EFFECTIVE_CONV2D, false)) {
            return false;
        }
        return base.kernel().size() > 1;
    }

    /** ΔW without the scaling, in the base weight's shape. */
    protected abstract NDArray unscaledDelta(ParamSource ps);

    @Override
    public NDArray deltaWeight(ParamSource ps) {
        return unscaledDelta(ps).mul(scaling);
    }

    @Override
    public NDArray forward(AdapterInput in) {
        if (in.training() && moduleDropout > 0 && dropRandom.nextDouble() <= moduleDropout) {
            return in.baseOutput().zerosLike();
        }
        NDArray d = deltaWeight(in.params());
        if (in.training() && rankDropout > 0) {
            d = d.mul(rankMask(d));
        }
        return base.apply(in.x(), d, null);
    }

    /** PEFT's rank dropout: Bernoulli(1-p) per output row, shaped [out, 1, ...]. */
    private NDArray rankMask(NDArray d) {
        int out = (int) d.getShape().get(0);
        float[] mask = new float[out];
        double kept = 0;
        for (int i = 0; i < out; i++) {
            mask[i] = dropRandom.nextDouble() > rankDropout ? 1f : 0f;
            kept += mask[i];
        }
        if (rankDropoutRescale && kept > 0) {
            float mean = (float) (kept / out);
            for (int i = 0; i < out; i++) {
                mask[i] /= mean;
            }
        }
        long[] shape = new long[d.getShape().dimension()];
        java.util.Arrays.fill(shape, 1);
        shape[0] = out;
        return d.getManager().create(mask, new Shape(shape));
    }

    @Override
    public boolean weightPathExact() {
        return rankDropout == 0 && moduleDropout == 0;
    }

    @Override
    public List<AdapterParam> parameters() {
        return List.copyOf(params);
    }

    @Override
    public void close() {
        for (AdapterParam p : params) {
            p.parameter().close();
        }
    }
}
