package org.loralab.lora.variant;

/**
 * The bookkeeping every rank-r adapter layer shares: its base layer, rank, alpha and the mutable
 * scaling that {@link #setScaling} changes. Subclasses do the maths (forward, ΔW, parameters).
 */
public abstract class AbstractLayerAdapter implements LayerAdapter {
    protected final BaseLayer base;
    protected final int r;
    protected final double alpha;
    protected double scaling;

    protected AbstractLayerAdapter(BaseLayer base, int r, double alpha, double scaling) {
        this.base = base;
        this.r = r;
        this.alpha = alpha;
        this.scaling = scaling;
    }

    @Override
    public BaseLayer base() {
        return base;
    }

    @Override
    public int rank() {
        return r;
    }

    @Override
    public double alpha() {
        return alpha;
    }

    @Override
    public double scaling() {
        return scaling;
    }

    @Override
    public void setScaling(double s) {
        this.scaling = s;
    }
}
