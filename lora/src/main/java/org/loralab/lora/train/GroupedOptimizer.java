package org.loralab.lora.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.optimizer.Optimizer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SGD / Adam / AdamW over parameter groups, each with its own lr and weight decay (torch.optim semantics). The fit
 * loop sets the schedule factor before each step; every group's lr is multiplied by it.
 */
public final class GroupedOptimizer extends Optimizer {
    static final double BETA1 = 0.9;
    static final double BETA2 = 0.999;
    static final double EPS = 1e-8;

    private final OptimizerKind kind;
    private final List<ParamGroup> groups;
    private final Map<String, ParamGroup> groupById = new HashMap<>();
    private final Map<String, NDArray[]> state = new HashMap<>();
    private final Map<String, Integer> steps = new HashMap<>();
    private double factor = 1.0;

    public GroupedOptimizer(
            OptimizerKind kind, List<ParamGroup> groups, List<ParamInfo> params) {
        super(new Builder());
        this.kind = kind;
        this.groups = List.copyOf(groups);
        Map<String, String> idByName = new HashMap<>();
        for (ParamInfo p : params) {
            idByName.put(p.name(), p.parameter().getId());
        }
        for (ParamGroup g : groups) {
            for (String name : g.paramNames()) {
                String id = idByName.get(name);
                if (id == null) {
                    throw new IllegalArgumentException("optimizer group '" + g.name()
                            + "' names a parameter the model does not have: " + name);
                }
                if (groupById.put(id, g) != null) {
                    throw new IllegalArgumentException("parameter " + name + " is in two optimizer groups");
                }
            }
        }
    }

    public List<ParamGroup> groups() {
        return groups;
    }

    public OptimizerKind kind() {
        return kind;
    }

    /** The schedule multiplier for the coming step. */
    public void setScheduleFactor(double factor) {
        this.factor = factor;
    }

    @Override
    public void update(String parameterId, NDArray param, NDArray grad) {
        ParamGroup group = groupById.get(parameterId);
        if (group == null) {
            return; // trainable but grouped out (e.g. frozen later): leave untouched
        }
        double lr = group.lr() * factor;
        double wd = group.weightDecay();
        try (NDManager scope = param.getManager().newSubManager()) {
            NDArray weight = writable(scope, param);
            NDArray g = own(scope, grad.duplicate());
            switch (kind) {
                case SGD:
                    if (wd != 0) {
                        g.addi(own(scope, weight.mul(wd)));
                    }
                    weight.subi(g.muli(lr));
                    break;
                case ADAM:
                    if (wd != 0) {
                        g.addi(own(scope, weight.mul(wd)));
                    }
                    adamStep(parameterId, param, weight, g, lr, scope);
                    break;
                case ADAMW:
                    if (wd != 0) {
                        weight.muli(1.0 - lr * wd);
                    }
                    adamStep(parameterId, param, weight, g, lr, scope);
                    break;
                default:
                    throw new IllegalStateException(kind.name());
            }
        }
    }

    /** {@code param} owns the optimizer state (it outlives the step); {@code weight} is its writable view. */
    private void adamStep(String id, NDArray param, NDArray weight, NDArray g, double lr, NDManager scope) {
        // per device: with several devices DJL's parameter server updates every device copy with the same gradient
        String key = id + "@" + param.getDevice();
        NDArray[] mv = state.computeIfAbsent(key, k -> new NDArray[] {param.zerosLike(), param.zerosLike()});
        int t = steps.merge(key, 1, Integer::sum);
        NDArray m = mv[0];
        NDArray v = mv[1];
        m.muli(BETA1).addi(g.mul(1 - BETA1));
        v.muli(BETA2).addi(g.square().muli(1 - BETA2));
        double bc1 = 1 - Math.pow(BETA1, t);
        double bc2 = 1 - Math.pow(BETA2, t);
        NDArray denom = own(scope, v.sqrt()).divi(Math.sqrt(bc2)).addi(EPS);
        NDArray update = own(scope, m.div(denom)).muli(lr / bc1);
        weight.subi(update);
    }

    /** One parameter's Adam moments and step count, by value (what a checkpoint keeps). */
    public record Moments(long[] shape, float[] m, float[] v, int t) {}

    /** The Adam moments by parameter name ({@code names}: id to name); empty for SGD or before the first step. */
    Map<String, Moments> exportMoments(Map<String, String> names) {
        Map<String, Moments> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, NDArray[]> e : state.entrySet()) {
            String id = e.getKey().substring(0, e.getKey().indexOf('@'));
            String name = names.get(id);
            if (name == null) {
                continue;
            }
            if (out.containsKey(name)) {
                throw new IllegalStateException("a checkpoint with optimizer state needs one device; this fit uses "
                        + "several (set devices to one, or checkpoint parameters only)");
            }
            NDArray[] mv = e.getValue();
            out.put(name, new Moments(mv[0].getShape().getShape(), mv[0].toFloatArray(), mv[1].toFloatArray(),
                    steps.get(e.getKey())));
        }
        return out;
    }

    /** Puts saved moments back (before the first step of a resumed fit), matched by name and checked by shape. */
    void importMoments(Map<String, Moments> byName, List<ParamInfo> params) {
        for (ParamInfo p : params) {
            Moments mo = byName.get(p.name());
            if (mo == null) {
                continue;
            }
            NDArray param = p.parameter().getArray();
            if (!java.util.Arrays.equals(mo.shape(), param.getShape().getShape())) {
                throw new IllegalArgumentException("the checkpoint's optimizer state for " + p.name() + " has shape "
                        + java.util.Arrays.toString(mo.shape()) + ", the parameter " + param.getShape());
            }
            ai.djl.ndarray.types.Shape shape = param.getShape();
            NDArray m = param.getManager().create(mo.m(), shape);
            NDArray v = param.getManager().create(mo.v(), shape);
            String key = p.parameter().getId() + "@" + param.getDevice();
            state.put(key, new NDArray[] {m, v});
            steps.put(key, mo.t());
        }
    }

    /**
     * A view of {@code param} that shares its storage but is outside autograd, so in-place updates work on any
     * thread: PyTorch's grad mode is per thread, and a kernel's execution thread has it on.
     */
    static NDArray writable(NDManager scope, NDArray param) {
        return own(scope, param.stopGradient());
    }

    static NDArray own(NDManager scope, NDArray a) {
        a.attach(scope);
        return a;
    }

    private static final class Builder extends OptimizerBuilder<Builder> {
        @Override
        protected Builder self() {
            return this;
        }
    }
}
