package org.loralab.ext.render;

import tech.tablesaw.api.NumericColumn;

/** Axis ranges that keep the data inside the plot, also when every value is the same (a flat line). */
final class AxisRange {
    private AxisRange() {}

    /**
     * [min - pad, max + pad] of the column's finite values, with pad the larger of {@code minPad} and a tenth of the
     * spread, clipped to [lo, hi]; [lo, hi] clipped around 0 when there is no finite value.
     */
    static double[] padded(NumericColumn<?> column, double minPad, double lo, double hi) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < column.size(); i++) {
            double v = column.getDouble(i);
            if (Double.isFinite(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        if (min > max) {
            return new double[] {Math.max(lo, -1), Math.min(hi, 1)};
        }
        double pad = Math.max(minPad, (max - min) / 10);
        double a = Math.max(lo, min - pad);
        double b = Math.min(hi, max + pad);
        if (b - a < minPad) { // a flat line at a bound (every rank reached 1.0): open the range inwards
            a = Math.max(lo, b - 2 * minPad);
            b = Math.min(hi, a + 2 * minPad);
        }
        return new double[] {a, b};
    }
}
