package org.loralab.lora.search;

/**
 * Where a running search is, for a progress display.
 *
 * @param bracket 0-based bracket (always 0 for successive halving)
 * @param brackets brackets in the search
 * @param rung 0-based rung within the bracket
 * @param rungs rungs in the bracket
 * @param position 0-based position of {@code trial} in its rung
 * @param trialsInRung trials in the rung
 * @param trial the trial being trained
 * @param fromSteps steps it already had (0 when it is retrained from scratch)
 * @param toSteps the rung's step budget
 * @param stepsSpent steps the search has trained so far, before this trial
 * @param plannedSteps steps the whole search will train
 * @param best the best trial measured so far at the largest budget reached, or null
 * @param bestMetric its metric (NaN when none)
 * @param bestSteps the budget it was measured at
 */
public record SearchProgress(int bracket, int brackets, int rung, int rungs, int position, int trialsInRung,
        Trial trial, long fromSteps, long toSteps, long stepsSpent, long plannedSteps, Trial best,
        double bestMetric, long bestSteps) {

    /** One line, e.g. "bracket 1/3, rung 2/3, trial 4 of 9 (r=8 alpha=16 lr=0.001): steps 20 -> 60". */
    public String describe() {
        return String.format(java.util.Locale.ROOT, "%srung %d/%d, trial %d of %d (#%d r=%d alpha=%s lr=%.3g): "
                        + "steps %d -> %d", brackets > 1 ? "bracket " + (bracket + 1) + "/" + brackets + ", " : "",
                rung + 1, rungs, position + 1, trialsInRung, trial.id(), trial.r(), trimmed(trial.alpha()),
                trial.lr(), fromSteps, toSteps);
    }

    /** "best so far: #3 r=8 alpha=16 lr=0.001, metric 0.8125 at 60 steps", or "" before the first result. */
    public String describeBest() {
        if (best == null) {
            return "";
        }
        return String.format(java.util.Locale.ROOT, "best so far: #%d r=%d alpha=%s lr=%.3g, metric %.4f at %d steps",
                best.id(), best.r(), trimmed(best.alpha()), best.lr(), bestMetric, bestSteps);
    }

    static String trimmed(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }
}
