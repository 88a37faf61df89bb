package org.loralab.lora.variant.adalora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Embedding;
import java.util.Random;
import org.loralab.lora.variant.BaseLayer;
import org.loralab.lora.variant.LayerKind;
import org.loralab.lora.variant.ParamRole;

/**
 * LoRA's form of A and B on one base layer (spec §2.1, §2.4), with an optional per-rank vector between them, for the
 * variants that gate (SoRA) or truncate (DyLoRA) the ranks: Linear A [r, in], B [out, r]; Conv2d A [r, in, kh, kw]
 * (a conv in→r with the base kernel, stride and padding) and B [out, r, 1, 1] (a 1×1 conv r→out); Embedding
 * {@code lora_embedding_A} [r, V] (looked up as a table) and {@code lora_embedding_B} [d, r]. The maths take whatever
 * rank the arrays have, so truncated or pruned factors go through the same code.
 */
public final class LowRankForm {
    private final BaseLayer base;
    private final LayerKind kind;

    /** The form for {@code base}; rejects kinds and conv settings the variant cannot express, saying why. */
    public LowRankForm(BaseLayer base, String path, String variant) {
        this.base = base;
        this.kind = base.kind();
        if (kind == LayerKind.CONV2D) {
            if (base.groups() != 1) {
                throw new IllegalArgumentException(variant + " on grouped conv '" + path + "' (groups=" + base.groups()
                        + ") is not supported; exclude it from targetModules");
            }
            if (base.dilation() != null && base.dilation().getShape().length > 0 && base.dilation().size() != 1) {
                throw new IllegalArgumentException(variant + " on dilated conv '" + path + "' (dilation "
                        + base.dilation() + ") is not supported: as in LoRA, A runs at dilation 1 and its output "
                        + "would not match the base output; exclude it from targetModules");
            }
        } else if (kind != LayerKind.LINEAR && kind != LayerKind.EMBEDDING) {
            throw new IllegalArgumentException(variant + " supports Linear, Conv2d and Embedding layers; '" + path
                    + "' is " + kind);
        }
    }

    /** Whether A is an embedding table (no dropout, LoRA's embedding init and names). */
    public boolean embedding() {
        return kind == LayerKind.EMBEDDING;
    }

    /** A's shape at rank r. */
    public Shape shapeA(int r) {
        if (kind == LayerKind.CONV2D) {
            Shape k = base.kernel();
            return new Shape(r, base.inFeatures(), k.get(0), k.get(1));
        }
        return new Shape(r, base.inFeatures());
    }

    /** B's shape at rank r. */
    public Shape shapeB(int r) {
        return kind == LayerKind.CONV2D ? new Shape(base.outFeatures(), r, 1, 1) : new Shape(base.outFeatures(), r);
    }

    /** A's tensor name: "lora_embedding_A" on an embedding (LoRA's name), else "lora_A". */
    public String nameA() {
        return embedding() ? "lora_embedding_A" : "lora_A";
    }

    /** B's tensor name. */
    public String nameB() {
        return embedding() ? "lora_embedding_B" : "lora_B";
    }

    /** A's role (the embedding roles get LoRA+'s embedding lr). */
    public ParamRole roleA() {
        return embedding() ? ParamRole.EMBEDDING_A : ParamRole.LORA_A;
    }

    /** B's role. */
    public ParamRole roleB() {
        return embedding() ? ParamRole.EMBEDDING_B : ParamRole.LORA_B;
    }

    /** Entries of A and B per rank: in + out, in·kh·kw + out, or V + d. */
    public long paramsPerRank() {
        return shapeA(1).size() + base.outFeatures();
    }

    /**
     * LoRA's init of A ({@code init_lora_weights} true/false): kaiming uniform U(±1/√fan_in) on Linear/Conv (fan_in
     * = in·kh·kw), zero (true) or N(0,1) (false) on an embedding.
     */
    public void initA(Parameter a, boolean noOp, Random rnd) {
        if (!embedding()) {
            LowRankParts.fillUniform(a, rnd, 1.0 / Math.sqrt(shapeA(1).size()));
        } else if (!noOp) {
            LowRankParts.fillNormal(a, rnd, 1.0);
        }
    }

    /** LoRA's init of B: zero (true) or U(±1/√r) (false) on Linear/Conv; N(0,1) on an embedding. */
    public void initB(Parameter b, boolean noOp, int r, Random rnd) {
        if (embedding()) {
            LowRankParts.fillNormal(b, rnd, 1.0);
        } else if (!noOp) {
            LowRankParts.fillUniform(b, rnd, 1.0 / Math.sqrt(Math.max(1, r)));
        }
    }

    /** The adapter input after dropout; an embedding's indices are never dropped (as in PEFT). */
    public NDArray dropout(NDArray x, float p, boolean training) {
        return embedding() ? x : LowRankParts.dropout(x, p, training);
    }

    /**
     * {@code s · B(mid ⊙ A(x))}: A and B applied as this layer kind applies them, {@code mid} (r values, or null)
     * scaling each rank's channel.
     */
    public NDArray forward(NDArray x, NDArray a, NDArray mid, NDArray b, double s) {
        switch (kind) {
            case LINEAR:
                return LowRankParts.forward(x, a, mid, b, s);
            case EMBEDDING: {
                NDArray h = Embedding.embedding(x, a.transpose(), SparseFormat.DENSE).head();
                if (mid != null) {
                    h = h.mul(mid.reshape(-1));
                }
                return h.matMul(b.transpose()).mul(s);
            }
            default: {
                Shape one = new Shape(1, 1);
                NDArray h = Conv2d.conv2d(x, a, null, base.stride(), base.padding(), one, 1).head();
                if (mid != null) {
                    h = h.mul(mid.reshape(1, -1, 1, 1));
                }
                return Conv2d.conv2d(h, b, null, one, new Shape(0, 0), one, 1).head().mul(s);
            }
        }
    }

    /** {@code s · B·diag(mid)·A} in the base weight's layout: [out, in], [out, in, kh, kw] or [V, d]. */
    public NDArray delta(NDArray a, NDArray mid, NDArray b, double s) {
        switch (kind) {
            case LINEAR:
                return LowRankParts.delta(a, mid, b, s);
            case EMBEDDING:
                return LowRankParts.delta(a, mid, b, s).transpose();
            default: {
                long r = a.getShape().get(0);
                NDArray d = LowRankParts.delta(a.reshape(r, -1), mid, b.reshape(base.outFeatures(), r), s);
                return d.reshape(base.weightShape());
            }
        }
    }
}
