package org.loralab.lora.search;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Where an automated search looks: candidate ranks, alphas and learning rates. The learning rate is either a list
 * or a log-uniform range [lrMin, lrMax] (continuous, the usual choice for lr).
 *
 * <pre>{@code
 * SearchSpace s = SearchSpace.of(List.of(4, 8, 16), List.of(8.0, 16.0, 32.0)).logUniformLr(1e-4, 1e-2);
 * }</pre>
 */
public final class SearchSpace {
    private final List<Integer> ranks;
    private final List<Double> alphas;
    private final List<Double> lrs;
    private final double lrMin;
    private final double lrMax;

    private SearchSpace(List<Integer> ranks, List<Double> alphas, List<Double> lrs, double lrMin, double lrMax) {
        this.ranks = List.copyOf(ranks);
        this.alphas = List.copyOf(alphas);
        this.lrs = lrs == null ? null : List.copyOf(lrs);
        this.lrMin = lrMin;
        this.lrMax = lrMax;
    }

    /** Ranks and alphas as lists; the learning rate must be given next ({@link #lrs} or {@link #logUniformLr}). */
    public static SearchSpace of(List<Integer> ranks, List<Double> alphas) {
        if (ranks == null || ranks.isEmpty() || alphas == null || alphas.isEmpty()) {
            throw new IllegalArgumentException("a search space needs at least one rank and one alpha");
        }
        for (int r : ranks) {
            if (r <= 0) {
                throw new IllegalArgumentException("ranks must be > 0, got " + r);
            }
        }
        for (double a : alphas) {
            if (!(a > 0)) {
                throw new IllegalArgumentException("alphas must be > 0, got " + a);
            }
        }
        return new SearchSpace(distinct(ranks), distinct(alphas), List.of(1e-3), Double.NaN, Double.NaN);
    }

    /** Learning rates from a list. */
    public SearchSpace lrs(List<Double> values) {
        if (values == null || values.isEmpty()) {
            throw new IllegalArgumentException("give at least one learning rate");
        }
        for (double v : values) {
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("learning rates must be positive and finite, got " + v);
            }
        }
        return new SearchSpace(ranks, alphas, distinct(values), Double.NaN, Double.NaN);
    }

    /** Learning rates drawn log-uniformly from [min, max]. */
    public SearchSpace logUniformLr(double min, double max) {
        if (!(min > 0) || !(max >= min) || Double.isInfinite(max)) {
            throw new IllegalArgumentException("the lr range needs 0 < min <= max < inf, got [" + min + ", " + max + "]");
        }
        return new SearchSpace(ranks, alphas, null, min, max);
    }

    public List<Integer> ranks() {
        return ranks;
    }

    public List<Double> alphas() {
        return alphas;
    }

    /** The lr list, or null when lr is a log-uniform range. */
    public List<Double> lrs() {
        return lrs;
    }

    /** Whether {@code t}'s values lie in this space. */
    public boolean contains(Trial t) {
        boolean lrOk = lrs != null ? lrs.contains(t.lr()) : t.lr() >= lrMin * (1 - 1e-12) && t.lr() <= lrMax * (1 + 1e-12);
        return ranks.contains(t.r()) && alphas.contains(t.alpha()) && lrOk;
    }

    /**
     * {@code n} distinct configurations drawn with {@code seed}. With a finite grid (lr as a list) they are drawn
     * without replacement, so n is capped at the grid size; with an lr range every draw is new.
     */
    public List<Trial> sample(int n, long seed) {
        if (n <= 0) {
            throw new IllegalArgumentException("the trial budget must be > 0, got " + n);
        }
        Random rnd = new Random(seed);
        List<Trial> out = new ArrayList<>();
        if (lrs != null) {
            List<double[]> grid = new ArrayList<>();
            for (int r : ranks) {
                for (double a : alphas) {
                    for (double lr : lrs) {
                        grid.add(new double[] {r, a, lr});
                    }
                }
            }
            Collections.shuffle(grid, rnd);
            for (int i = 0; i < Math.min(n, grid.size()); i++) {
                double[] g = grid.get(i);
                out.add(new Trial(i, (int) g[0], g[1], g[2]));
            }
            return out;
        }
        double lo = Math.log(lrMin);
        double hi = Math.log(lrMax);
        for (int i = 0; i < n; i++) {
            int r = ranks.get(rnd.nextInt(ranks.size()));
            double a = alphas.get(rnd.nextInt(alphas.size()));
            double lr = Math.exp(lo + (hi - lo) * rnd.nextDouble());
            out.add(new Trial(i, r, a, lr));
        }
        return out;
    }

    private static <T> List<T> distinct(List<T> values) {
        Set<T> s = new LinkedHashSet<>(values);
        return new ArrayList<>(s);
    }

    @Override
    public String toString() {
        return "SearchSpace{r=" + ranks + ", alpha=" + alphas + ", lr="
                + (lrs != null ? lrs.toString() : "log-uniform[" + lrMin + ", " + lrMax + "]") + "}";
    }
}
